from django import forms
from django.contrib import admin

from accounts.admin_base import (
    AccountScopedAdmin,
    AccountScopedAdminForm,
    AccountScopedInline,
    AccountScopedRelatedListFilter,
)
from companies.admin import CompanyAdmin
from contacts import services
from contacts.models import Contact, ContactTag
from contacts.phones import InvalidPhoneNumber, parse_phone
from customfields.admin_forms import CustomFieldsAdmin
from events.admin_history import RecordHistoryAdmin
from events.recorded_admin import RecordedAdmin


class ContactTagInline(AccountScopedInline):
    model = ContactTag
    extra = 0
    autocomplete_fields = ["tag"]
    fields = ["tag"]


class ContactAdminForm(AccountScopedAdminForm):
    """The phone is typed text, read by the one parser (`contacts.phones.parse_phone`)
    in the chosen account's region, as the API and the web app read it."""

    phone = forms.CharField(
        required=False, max_length=40, widget=forms.TextInput(attrs={"type": "tel"})
    )

    class Meta:
        model = Contact
        fields = [
            "account",
            "first_name",
            "last_name",
            "email",
            "phone",
            "title",
            "company",
            "owner",
            "custom_fields",
        ]

    def clean(self):
        data = super().clean()
        account = data.get("account")
        try:
            data["phone"] = parse_phone(
                data.get("phone", ""), account.phone_region if account else None
            )
        except InvalidPhoneNumber as exc:
            self.add_error("phone", str(exc))
        return data


@admin.register(Contact)
class ContactAdmin(CustomFieldsAdmin, RecordHistoryAdmin, RecordedAdmin, AccountScopedAdmin):
    custom_field_record_type = "contact"
    list_display = [
        "__str__",
        "email",
        "phone",
        "company",
        "title",
        "owner",
        "account",
        "updated_at",
    ]
    list_filter = [
        ("account", AccountScopedRelatedListFilter),
        ("owner", AccountScopedRelatedListFilter),
        ("tags", AccountScopedRelatedListFilter),
        "created_at",
    ]
    search_fields = ["first_name", "last_name", "email"]
    autocomplete_fields = ["company", "owner"]
    list_select_related = ["account", "company", "owner"]
    readonly_fields = ["created_at", "updated_at"]
    form = ContactAdminForm
    fields = [
        "account",
        ("first_name", "last_name"),
        ("email", "phone"),
        ("title", "company"),
        "owner",
        "custom_fields",
        ("created_at", "updated_at"),
    ]
    inlines = [ContactTagInline]
    tag_inline = ContactTagInline
    record_argument = "contact"
    create = staticmethod(services.contact_create)
    update = staticmethod(services.contact_update)
    delete = staticmethod(services.contact_delete)
    delete_many = staticmethod(services.contacts_delete)


class CompanyContactInline(AccountScopedInline):
    """The company page lists its contacts (read here, edited on the contact)."""

    model = Contact
    fk_name = "company"
    extra = 0
    fields = ["first_name", "last_name", "email", "title"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False
    verbose_name_plural = "contacts"

    def has_add_permission(self, request, obj=None):
        return False


CompanyAdmin.inlines = [*CompanyAdmin.inlines, CompanyContactInline]
