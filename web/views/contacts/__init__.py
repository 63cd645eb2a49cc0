"""The contacts pages of the staff UI (routes in web/routes/contacts.py)."""

from web.views.contacts.export import ContactExportView
from web.views.contacts.listing import ContactBulkView, ContactListView
from web.views.contacts.records import (
    ContactCreateView,
    ContactDeleteView,
    ContactDetailView,
    ContactEditView,
    ContactTagsView,
)

__all__ = [
    "ContactBulkView",
    "ContactCreateView",
    "ContactDeleteView",
    "ContactDetailView",
    "ContactEditView",
    "ContactExportView",
    "ContactListView",
    "ContactTagsView",
]
