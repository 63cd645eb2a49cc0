"""URLs of the contacts pages (included by web/urls.py under "contacts/", "web"
namespace)."""

from django.urls import path

from web.contacts.export import ContactExportView
from web.contacts.views import (
    ContactBulkView,
    ContactDeleteView,
    ContactDetailView,
    ContactFormView,
    ContactListView,
    ContactTagsView,
)
from web.record_history import ContactHistoryView

urlpatterns = [
    path("", ContactListView.as_view(), name="contacts"),
    path("export/", ContactExportView.as_view(), name="contacts-export"),
    path("bulk/", ContactBulkView.as_view(), name="contacts-bulk"),
    path("new/", ContactFormView.as_view(), name="contact-create"),
    path("<int:pk>/", ContactDetailView.as_view(), name="contact"),
    path("<int:pk>/edit/", ContactFormView.as_view(), name="contact-edit"),
    path("<int:pk>/delete/", ContactDeleteView.as_view(), name="contact-delete"),
    path("<int:pk>/history/", ContactHistoryView.as_view(), name="contact-history"),
    path("<int:pk>/tags/", ContactTagsView.as_view(), name="contact-tags"),
]
