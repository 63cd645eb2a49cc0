from django import forms
from django.contrib import admin

from accounts.admin_base import AccountScopedAdmin, AccountScopedRelatedListFilter
from customfields.models import CustomFieldDefinition
from customfields.services import custom_field_delete, custom_field_update

FIXED = ("account", "record_type", "key")


class CustomFieldDefinitionAdminForm(forms.ModelForm):
    """The account, record type and key are fixed once created (records store their
    values under the key): changing one is a form error."""

    class Meta:
        model = CustomFieldDefinition
        fields = ["account", "record_type", "key", "label", "type", "options", "required"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None:
            for name in FIXED:
                if name in self.changed_data:
                    self.add_error(name, "Fixed once the custom field is created.")
        return data


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(AccountScopedAdmin):
    form = CustomFieldDefinitionAdminForm
    list_display = ["key", "label", "record_type", "type", "required", "account"]
    list_filter = [("account", AccountScopedRelatedListFilter), "record_type", "type"]
    search_fields = ["key", "label"]
    ordering = ["record_type", "key"]
    fields = ["account", "record_type", "key", "label", "type", "options", "required"]

    def save_model(self, request, obj, form, change):
        # The form validated the row (`clean`); an update goes through the service,
        # which locks the row and writes only what changed.
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
