"""Settings › Custom fields: the account's custom fields of contacts, companies and
deals; define one, edit its label, options and required flag (its key is fixed),
delete one (the values records store under its key stay).

Owners and admins write; members see the same pages without the means to change
anything (web/roles.py), and a write of theirs is a 403. Every write goes through
customfields.services, as the API's do.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from customfields.models import CustomFieldDefinition
from customfields.services import custom_field_create, custom_field_delete, custom_field_update
from web.crud import add_service_errors
from web.field_settings.forms import DefinitionForm
from web.roles import ManagersWriteMixin, may_manage
from web.tenancy import AccountViewMixin

Definition = CustomFieldDefinition
TEMPLATE = "web/field_settings/form.html"


class FieldSettingsMixin(AccountViewMixin, ManagersWriteMixin):
    model = Definition

    def render(self, template: str, context: dict, status: int = 200):
        context = {"may_manage": may_manage(self.request), **context}
        return render(self.request, template, context, status=status)


class FieldSettingsView(FieldSettingsMixin, View):
    """GET: the account's custom fields, by record type. One query."""

    def get(self, request):
        definitions = list(self.get_queryset().order_by("record_type", "label", "key", "id"))
        groups = [
            {
                "record_type": value,
                "title": {"contact": "Contacts", "company": "Companies", "deal": "Deals"}[value],
                "definitions": [d for d in definitions if d.record_type == value],
            }
            for value, _label in Definition.RecordType.choices
        ]
        return self.render("web/field_settings/list.html", {"groups": groups})


class FieldCreateView(FieldSettingsMixin, View):
    """GET: the form of a new field (`?record_type=` preselects it). POST: create it."""

    def get(self, request):
        record_type = request.GET.get("record_type", "")
        initial = {"record_type": record_type} if record_type in Definition.RecordType else {}
        return self.form_page(DefinitionForm(initial=initial))

    def post(self, request):
        form = DefinitionForm(request.POST)
        if form.is_valid():
            try:
                definition = custom_field_create(
                    account=request.account, data=form.definition_data()
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Added the custom field “{definition.label}”.")
                return HttpResponseRedirect(reverse("web:field-settings"))
        return self.form_page(form, status=400)

    def form_page(self, form, status=200):
        return self.render(TEMPLATE, {"form": form, "creating": True}, status=status)


class FieldEditView(FieldSettingsMixin, View):
    """GET: a field's form (its key, record type and type shown, fixed). POST: save
    the label, options and required flag."""

    def get(self, request, pk):
        definition = self.get_object()
        return self.form_page(DefinitionForm(definition=definition), definition)

    def post(self, request, pk):
        definition = self.get_object()
        form = DefinitionForm(request.POST, definition=definition)
        if form.is_valid():
            try:
                definition = custom_field_update(definition=definition, data=form.definition_data())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Saved the custom field “{definition.label}”.")
                return HttpResponseRedirect(reverse("web:field-settings"))
        return self.form_page(form, definition, status=400)

    def form_page(self, form, definition, status=200):
        context = {"form": form, "creating": False, "definition": definition}
        return self.render(TEMPLATE, context, status=status)


class FieldDeleteView(FieldSettingsMixin, View):
    """GET: ask first, saying that the stored values stay. POST: delete the field."""

    def get(self, request, pk):
        definition = self.get_object()
        return self.render("web/field_settings/delete.html", {"definition": definition})

    def post(self, request, pk):
        definition = self.get_object()
        custom_field_delete(definition=definition)
        messages.success(
            request,
            f"Deleted the custom field “{definition.label}”. Records keep their values "
            f"under “{definition.key}”.",
        )
        return HttpResponseRedirect(reverse("web:field-settings"))
