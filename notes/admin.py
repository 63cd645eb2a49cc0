from django.contrib import admin

from accounts.admin_base import AccountScopedAdmin, AccountScopedRelatedListFilter
from events.admin_history import RecordHistoryAdmin
from events.recorded_admin import RecordedAdmin
from notes import services
from notes.models import Note


@admin.register(Note)
class NoteAdmin(RecordHistoryAdmin, RecordedAdmin, AccountScopedAdmin):
    list_display = ["__str__", "kind", "direction", "occurred_at", "author", "contact", "account"]
    list_filter = [
        ("account", AccountScopedRelatedListFilter),
        "kind",
        "direction",
        ("author", AccountScopedRelatedListFilter),
        "occurred_at",
    ]
    search_fields = ["body"]
    autocomplete_fields = ["contact", "company", "deal"]
    list_select_related = ["account", "author", "contact"]
    readonly_fields = ["author", "created_at", "updated_at"]
    fields = [
        "account",
        "body",
        ("kind", "direction"),
        "occurred_at",
        ("contact", "company", "deal"),
        "author",
        ("created_at", "updated_at"),
    ]

    record_argument = "note"
    create = staticmethod(services.note_create)
    update = staticmethod(services.note_update)
    delete = staticmethod(services.note_delete)
    delete_many = staticmethod(services.notes_delete)
