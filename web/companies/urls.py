"""URLs of the companies pages (included by web/urls.py under "companies/", "web"
namespace)."""

from django.urls import path

from web.companies.views import (
    CompanyBulkDeleteView,
    CompanyDeleteView,
    CompanyDetailView,
    CompanyFormView,
    CompanyListView,
)
from web.record_history import CompanyHistoryView

urlpatterns = [
    path("", CompanyListView.as_view(), name="companies"),
    path("new/", CompanyFormView.as_view(), name="company-new"),
    path("delete/", CompanyBulkDeleteView.as_view(), name="companies-delete"),
    path("<int:pk>/", CompanyDetailView.as_view(), name="company"),
    path("<int:pk>/history/", CompanyHistoryView.as_view(), name="company-history"),
    path("<int:pk>/edit/", CompanyFormView.as_view(), name="company-edit"),
    path("<int:pk>/delete/", CompanyDeleteView.as_view(), name="company-delete"),
]
