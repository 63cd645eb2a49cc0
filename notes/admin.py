from django.contrib import admin

from accounts.admin_base import AccountScopedAdmin, AccountScopedRelatedListFilter
from notes.models import Note


@admin.register(Note)
class NoteAdmin(AccountScopedAdmin):
    list_display = ["__str__", "kind", "direction", "occurred_at", "author", "contact",
                    "account"]
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
    fields = ["account", "body", ("kind", "direction"), "occurred_at",
              ("contact", "company", "deal"), "author", ("created_at", "updated_at")]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.author = request.user
        super().save_model(request, obj, form, change)
