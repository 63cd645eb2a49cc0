from django.contrib import admin

from accounts.admin_base import (
    AccountScopedAdmin,
    AccountScopedInline,
    AccountScopedRelatedListFilter,
)
from companies.models import Company, CompanyTag


class CompanyTagInline(AccountScopedInline):
    model = CompanyTag
    extra = 0
    autocomplete_fields = ["tag"]
    fields = ["tag"]


class SubsidiaryInline(AccountScopedInline):
    model = Company
    fk_name = "parent"
    extra = 0
    fields = ["name", "domain", "industry", "size"]
    show_change_link = True
    verbose_name = "subsidiary"
    verbose_name_plural = "subsidiaries"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Company)
class CompanyAdmin(AccountScopedAdmin):
    list_display = ["name", "domain", "industry", "size", "parent", "owner", "account"]
    list_filter = [
        ("account", AccountScopedRelatedListFilter),
        "size",
        "industry",
        ("owner", AccountScopedRelatedListFilter),
        ("tags", AccountScopedRelatedListFilter),
    ]
    search_fields = ["name", "domain"]
    autocomplete_fields = ["parent", "owner"]
    list_select_related = ["account", "parent", "owner"]
    readonly_fields = ["created_at", "updated_at"]
    fields = [
        "account",
        "name",
        "domain",
        ("industry", "size"),
        "parent",
        "owner",
        "custom_fields",
        ("created_at", "updated_at"),
    ]
    # contacts/admin.py adds the inline list of contacts (contacts sit above companies).
    inlines = [CompanyTagInline, SubsidiaryInline]
