"""URLs of the UI's contacts pages (included by web/urls.py under the "web" namespace)."""

from django.urls import path

from web.views import contacts
from web.views.history import ContactHistoryView

urlpatterns = [
    path("", contacts.ContactListView.as_view(), name="contacts"),
    path("export/", contacts.ContactExportView.as_view(), name="contacts-export"),
    path("bulk/", contacts.ContactBulkView.as_view(), name="contacts-bulk"),
    path("new/", contacts.ContactCreateView.as_view(), name="contact-create"),
    path("<int:pk>/", contacts.ContactDetailView.as_view(), name="contact"),
    path("<int:pk>/edit/", contacts.ContactEditView.as_view(), name="contact-edit"),
    path("<int:pk>/delete/", contacts.ContactDeleteView.as_view(), name="contact-delete"),
    path("<int:pk>/history/", ContactHistoryView.as_view(), name="contact-history"),
    path("<int:pk>/tags/", contacts.ContactTagsView.as_view(), name="contact-tags"),
]
