from django.contrib import admin

from accounts.admin_base import AccountScopedAdmin, AccountScopedRelatedListFilter
from customfields.models import CustomFieldDefinition
from customfields.services import custom_field_delete, custom_field_update


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(AccountScopedAdmin):
    list_display = ["key", "label", "record_type", "type", "required", "account"]
    list_filter = [("account", AccountScopedRelatedListFilter), "record_type", "type"]
    search_fields = ["key", "label"]
    ordering = ["record_type", "key"]
    fields = ["account", "record_type", "key", "label", "type", "options", "required"]

    def get_readonly_fields(self, request, obj=None):
        # Fixed once created: records store their values under the key.
        return ["account", "record_type", "key"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        # The form validated the row (`clean`); updates go through the service, which
        # locks the row and writes only what changed.
        if change:
            data = {name: form.cleaned_data[name] for name in form.changed_data}
            custom_field_update(definition=obj, data=data)
        else:
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        custom_field_delete(definition=obj)

    def delete_queryset(self, request, queryset):
        for definition in queryset:
            custom_field_delete(definition=definition)
