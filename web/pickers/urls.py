"""URLs of the pickers (included by web/urls.py under "pickers/", "web" namespace)."""

from django.urls import path

from web.pickers import views

urlpatterns = [
    path("contacts/", views.ContactPickerView.as_view(), name="picker-contacts"),
    path("contacts/new/", views.ContactCreateView.as_view(), name="picker-contacts-new"),
    path("companies/", views.CompanyPickerView.as_view(), name="picker-companies"),
    path("companies/new/", views.CompanyCreateView.as_view(), name="picker-companies-new"),
    path("deals/", views.DealPickerView.as_view(), name="picker-deals"),
    path("owners/", views.OwnerPickerView.as_view(), name="picker-owners"),
]
