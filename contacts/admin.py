from django.contrib import admin

from accounts.admin_base import (
    AccountScopedAdmin,
    AccountScopedInline,
    AccountScopedRelatedListFilter,
)
from contacts.models import Contact, ContactTag


class ContactTagInline(AccountScopedInline):
    model = ContactTag
    extra = 0
    autocomplete_fields = ["tag"]
    fields = ["tag"]


@admin.register(Contact)
class ContactAdmin(AccountScopedAdmin):
    list_display = ["__str__", "email", "phone", "title", "owner", "account", "updated_at"]
    list_filter = [
        ("account", AccountScopedRelatedListFilter),
        ("owner", AccountScopedRelatedListFilter),
        ("tags", AccountScopedRelatedListFilter),
        "created_at",
    ]
    search_fields = ["first_name", "last_name", "email"]
    autocomplete_fields = ["owner"]
    list_select_related = ["account", "owner"]
    readonly_fields = ["created_at", "updated_at"]
    fields = [
        "account",
        ("first_name", "last_name"),
        ("email", "phone"),
        "title",
        "owner",
        "custom_fields",
        ("created_at", "updated_at"),
    ]
    inlines = [ContactTagInline]
