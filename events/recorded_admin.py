"""The admin's side of the record services: a ModelAdmin whose saves and deletes go
through the record's services (source "admin"), so they are atomic and recorded like
the API's and the web app's.

Django saves the form (`save_model`) and then its inlines (`save_related`); here both
happen in `save_related`, as one service call, so an admin save that changes fields
and tags is one event. Fields are those the admin form changed; tags come from the
tag links inline, if the model has one.
"""

from __future__ import annotations

from collections import defaultdict

from accounts.models import Account
from events.models import Source


class RecordedAdmin:
    """Mixin for an AccountScopedAdmin. Subclasses name their services:
    `create(*, account, by, source, data)`, `update(*, <record>, by, source, data)`,
    `delete(*, <record>, by, source)`, `delete_many(*, account, by, source, ids)`; and
    `record_argument`, the name services give the record ("contact")."""

    record_argument = ""
    tag_inline = None  # the inline class editing the record's tag links, if any

    def create(self, **kwargs):
        raise NotImplementedError

    def update(self, **kwargs):
        raise NotImplementedError

    def delete(self, **kwargs):
        raise NotImplementedError

    def delete_many(self, **kwargs):
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        """Nothing yet: `save_related` writes the record with its tags in one call."""

    def save_related(self, request, form, formsets, change):
        data = self.record_data(request, form, change)
        other_formsets = []
        for formset in formsets:
            if self.tag_inline is not None and formset.model is self.tag_inline.model:
                if not change or formset.has_changed():
                    data["tags"] = _kept_tag_names(formset)
                # What the admin's change message reads from a saved formset.
                formset.new_objects, formset.changed_objects = [], []
                formset.deleted_objects = []
            else:
                other_formsets.append(formset)
        obj = form.instance
        if change:
            saved = self.update(
                **{self.record_argument: obj}, by=request.user, source=Source.ADMIN, data=data
            )
        else:
            saved = self.create(
                account=obj.account, by=request.user, source=Source.ADMIN, data=data
            )
        _take_state(obj, saved)
        form.save_m2m = lambda: None  # tags were written by the service
        for formset in other_formsets:
            self.save_formset(request, form, formset, change=change)

    def record_data(self, request, form, change) -> dict:
        """The model fields the form sets (all on create, the changed ones on change);
        never `account`, which an existing record keeps."""
        names = form.changed_data if change else list(form.cleaned_data)
        concrete = {f.name for f in form.instance._meta.concrete_fields}
        return {
            name: form.cleaned_data[name]
            for name in names
            if name in concrete and name != "account" and name in form.cleaned_data
        }

    def delete_model(self, request, obj):
        self.delete(**{self.record_argument: obj}, by=request.user, source=Source.ADMIN)

    def delete_queryset(self, request, queryset):
        """One bulk delete (and one batch of events) per account of the selection."""
        ids_by_account = defaultdict(list)
        for pk, account_id in queryset.values_list("pk", "account_id"):
            ids_by_account[account_id].append(pk)
        for account_id, ids in ids_by_account.items():
            account = Account.objects.get(pk=account_id)
            self.delete_many(account=account, by=request.user, source=Source.ADMIN, ids=ids)


def _kept_tag_names(formset) -> list[str]:
    return [
        form.cleaned_data["tag"].name
        for form in formset.forms
        if form.cleaned_data.get("tag") and not form.cleaned_data.get("DELETE")
    ]


def _take_state(obj, saved) -> None:
    """Make the admin's form instance the row the service wrote (the admin reads its
    pk and fields for the message, the history and the redirect)."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db
