"""URLs of the merge screen (included by web/urls.py under "merge/", "web" namespace)."""

from django.urls import path

from web.merge.views import CompanyMergeView, ContactMergeView

urlpatterns = [
    path("contacts/<int:pk>/<int:other>/", ContactMergeView.as_view(), name="contact-merge"),
    path("companies/<int:pk>/<int:other>/", CompanyMergeView.as_view(), name="company-merge"),
]
