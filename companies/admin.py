from django.contrib import admin

from accounts.admin_base import (
    AccountScopedAdmin,
    AccountScopedInline,
    AccountScopedRelatedListFilter,
)
from companies import services
from companies.models import Company, CompanyTag
from customfields.admin_forms import CustomFieldsAdmin
from events.admin_history import RecordHistoryAdmin
from events.recorded_admin import RecordedAdmin


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
    # Read here, edited on the subsidiary's own page (which writes through its service).
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    verbose_name = "subsidiary"
    verbose_name_plural = "subsidiaries"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Company)
class CompanyAdmin(CustomFieldsAdmin, RecordHistoryAdmin, RecordedAdmin, AccountScopedAdmin):
    custom_field_record_type = "company"
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
    tag_inline = CompanyTagInline
    record_argument = "company"
    create = staticmethod(services.company_create)
    update = staticmethod(services.company_update)
    delete = staticmethod(services.company_delete)
    delete_many = staticmethod(services.companies_delete)
