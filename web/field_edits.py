"""One field of a record edited in place, on the record's own page.

Each field's value is a link (`GET <record>/fields/<name>/`) that htmx swaps for a
small form holding that field alone; Enter or Save posts it, Esc or Cancel swaps the
value back (`?show=1`), and the saved value replaces the form (web/static/web/
inplace.js moves the focus and handles the keys). Without JavaScript the link opens
the same small form as a page, which saves and returns to the record's page.

The small form is the record's own edit form (the same fields, choices scoped to the
account, the same cleaning) cut down to the one field and its `version`, so a save
takes the path of a whole-form edit: `saving_at_version` locks the row and refuses a
stale version (409, with the conflict notice of web/edit_conflicts.py and "save
mine anyway"), then the area's update service writes the field if it changed and
records the event.

An area subclasses `FieldEditView` with its model, form, service and the fields its
page edits in place, and shows each value with `shown_fields(...)`.
"""

import datetime as dt
import json

from django.contrib import messages
from django.db import models
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View

from events.link_targets import LinkTargetGone
from events.models import Source
from web.edit_conflicts import EditConflict, conflict_context, saving_at_version
from web.moments import Day, describe_moment
from web.tenancy import AccountViewMixin

TEMPLATE = "web/_field_edit.html"
EMPTY = "—"


def field_edit_url(url_name: str, record, name: str) -> str:
    return reverse(url_name, args=[record.pk, name])


def shown_value(record, form, name: str, *, day: Day) -> str:
    """A field's value as its page shows it, without a query when the record's links
    are select_related: a choice's label, a linked record as its form field names it,
    a moment on the account's clock ("Wed 25 Nov, 14:00 · in 3 days")."""
    model_field = record._meta.get_field(name)
    value = getattr(record, name)
    if value in (None, ""):
        return ""
    if model_field.choices:
        return str(getattr(record, f"get_{name}_display")())
    if isinstance(model_field, models.ForeignKey):
        form_field = form.fields[name]
        label_of = getattr(form_field, "label_from_instance", str)
        return str(label_of(value))
    if isinstance(value, dt.datetime):
        relative, absolute = describe_moment(value, day=day)
        return f"{absolute} · {relative}"
    return str(value)


def shown_fields(view_or_class, record, *, account, form=None) -> list[dict]:
    """What the record's page shows of each field edited in place: name, label, the
    value's text and the URL that opens its small form."""
    form = form or view_or_class.form_class(instance=record, account=account)
    day = Day.of(account)
    return [
        {
            "name": name,
            "label": form[name].label,  # the form's, else the model field's name
            "text": view_or_class.shown(record, form, name, day=day),
            "multiline": name in view_or_class.multiline_fields,
            "url": field_edit_url(view_or_class.url_name, record, name),
        }
        for name in view_or_class.field_names
    ]


class FieldEditView(AccountViewMixin, View):
    """`GET <record>/<pk>/fields/<name>/`: the small form (over htmx the partial, else
    a page); `?show=1`: the value again (Cancel). `POST`: save that field through
    `update_service` at the form's version; over htmx the answer is the saved value
    (200), the form with its errors (400) or with the conflict notice (409)."""

    form_class = None  # the record's edit form: VersionedFormMixin, OpenedValuesMixin
    update_service = None  # e.g. activity_update(*, activity, by, source, data)
    field_names: tuple = ()  # the fields edited in place, in the page's order
    multiline_fields: tuple = ()
    url_name = ""  # this view's URL name: (pk, field)
    record_url_name = ""  # the record's page
    save_refusals: tuple = ()  # a rule the write path enforces: an error on the field

    @classmethod
    def shown(cls, record, form, name: str, *, day: Day) -> str:
        """Hook: a field's value as text (`shown_value` by default)."""
        return shown_value(record, form, name, day=day)

    def field_name(self) -> str:
        name = self.kwargs["field"]
        if name not in self.field_names:
            raise Http404("No such field.")
        return name

    def form(self, record, name, data=None):
        """The record's edit form, cut down to `name` and `version`."""
        form = self.form_class(data, instance=record, account=self.request.account)
        form.fields = {key: form.fields[key] for key in (name, "version")}
        return form

    def get(self, request, *args, **kwargs):
        record = self.get_object()
        name = self.field_name()
        if request.GET.get("show") == "1":
            return self.value_answer(record, name)
        return self.form_answer(record, self.form(record, name), name)

    def post(self, request, *args, **kwargs):
        record = self.get_object()
        name = self.field_name()
        form = self.form(record, name, request.POST)
        if not form.is_valid():
            return self.form_answer(record, form, name, status=400)
        try:
            with saving_at_version(form):
                saved = self.update_service(
                    **{self.model._meta.model_name: record},
                    by=request.user,
                    source=Source.UI,
                    data=form.record_data(),
                )
        except EditConflict:
            conflict = conflict_context(form, request=request)
            return self.form_answer(record, form, name, status=409, conflict=conflict)
        except (LinkTargetGone, *self.save_refusals) as exc:
            form.add_error(name, str(exc))
            return self.form_answer(record, form, name, status=400)
        label = form[name].label
        if not request.htmx:
            messages.success(request, f"{label} saved.")
            return HttpResponseRedirect(reverse(self.record_url_name, args=[record.pk]))
        fresh = self.get_queryset().get(pk=saved.pk)  # its links, for the value shown
        response = self.value_answer(fresh, name, saved=True)
        response["HX-Trigger"] = json.dumps({"toast": f"{label} saved."})
        return response

    # -- answers ----------------------------------------------------------------------

    def value_answer(self, record, name, *, saved=False):
        if not self.request.htmx:
            return HttpResponseRedirect(reverse(self.record_url_name, args=[record.pk]))
        field = next(
            item
            for item in shown_fields(self, record, account=self.request.account)
            if item["name"] == name
        )
        context = {"field": field, "focus": True, **(self.saved_extra(record) if saved else {})}
        response = render(self.request, "web/_field_edit_answer.html", context)
        patch_vary_headers(response, ("HX-Request",))
        return response

    def saved_extra(self, record) -> dict:
        """Hook: more to show once a field is saved: `extra_template` (rendered with
        `oob` set, for an out-of-band swap of what the page shows elsewhere, such as
        its heading) and what it needs."""
        return {}

    def form_answer(self, record, form, name, *, status=200, conflict=None):
        context = {
            "form": form,
            "field": form[name],
            "record": record,
            "name": name,
            "url": field_edit_url(self.url_name, record, name),
            "record_url": reverse(self.record_url_name, args=[record.pk]),
            "conflict": conflict,
            "multiline": name in self.multiline_fields,
        }
        template = f"{TEMPLATE}#form" if self.request.htmx else "web/field_edit_page.html"
        response = render(self.request, template, context, status=status)
        patch_vary_headers(response, ("HX-Request",))
        return response
