"""Edit forms never overwrite a change they did not see.

An edit form carries the version it was opened on (web/forms/versions.py). The view
saves inside `saving_at_version(form)`: one transaction that first locks the record's
row (`SELECT ... FOR UPDATE` on PostgreSQL; on SQLite the IMMEDIATE transaction already
holds the database's write lock) and compares its version. If the record changed since,
nothing is saved and `EditConflict` is raised; the view answers 409 with the form as
the user filled it, the other change (`conflict_context`) and the choice: save my
version anyway (the form now carries the current version) or discard and reload.

Whatever writes inside the block (the form's save today, a record service tomorrow)
runs under the lock, so no other write can land between the check and the save.
"""

from contextlib import contextmanager

from django.db import transaction
from django.http import Http404
from django.utils.dateparse import parse_datetime

from events.models import Event
from lib.versions import version_of, version_of_moment
from web.event_changes import describe_events

RECENT_EVENTS = 20  # the other changes shown; more than a few is rare between two reads


class EditConflict(Exception):
    """The record changed since the form was opened; nothing was saved."""


@contextmanager
def saving_at_version(form):
    """Run the block in a transaction, with the form's record locked, only if the record
    is still at the version the form was opened on (else `EditConflict`). A record
    deleted meanwhile is a 404."""
    record = form.instance
    version = form.cleaned_data.get("version") or ""
    with transaction.atomic():
        if record.pk is not None and version:
            updated_at = (
                type(record)
                .objects.for_account(form.account)
                .select_for_update()
                .filter(pk=record.pk)
                .values_list("updated_at", flat=True)
                .first()
            )
            if updated_at is None:
                raise Http404("The record was deleted.")
            if version_of_moment(updated_at) != version:
                raise EditConflict()
        yield


def conflict_context(form, *, request) -> dict:
    """What the conflict notice shows, and the form set to "save anyway": the events
    since the form's version (who, when, from where, which fields), and the fields
    where the user's version differs from the saved one, with both values.

    Re-binds `form.data` with the record's current version, so that submitting the
    form again saves over the change the user has now seen.
    """
    account = request.account
    record_type = form.instance._meta.model_name
    current = type(form.instance).objects.for_account(account).filter(pk=form.instance.pk).first()
    if current is None:
        raise Http404("The record was deleted.")
    events = _events_since(account, record_type, current.pk, form.cleaned_data["version"])
    describe_events(events, account=account, record_type=record_type)
    saved = type(form)(instance=current, account=account)
    # The fields the user edited since opening the form (web/forms/opened_values.py).
    mine = [name for name in form.changed_data if name != "version"]
    differences = [
        {
            "label": saved[name].label,
            "saved": _shown(saved, name, saved[name].initial),
            "yours": _shown(saved, name, form[name].data),
        }
        for name in mine
        if form.fields[name].has_changed(saved[name].initial, form[name].data)
    ]
    form.data = form.data.copy()
    form.data["version"] = version_of(current)
    _open_at(form, saved, keep=mine)
    return {
        "record_type": record_type,
        "events": events,
        "differences": differences,
        "changed_at": current.updated_at,
    }


def _open_at(form, saved, *, keep) -> None:
    """Re-show the form as if opened on the saved record, with the user's own edits
    (`keep`) on top: the other fields show the saved values, never stale ones, and the
    hidden opened values become the saved ones, so "save my version anyway" writes
    the user's edits and nothing else."""
    for name, field in form.fields.items():
        if name == "version" or not field.show_hidden_initial:
            continue
        bound = saved[name]
        keys = [bound.html_initial_name] + ([] if name in keep else [bound.html_name])
        value = bound.value()
        for key in keys:
            if isinstance(value, list | tuple):
                form.data.setlist(key, [str(item) for item in value])
            else:
                shown = field.hidden_widget().format_value(value)
                form.data[key] = "" if shown is None else shown


def _events_since(account, record_type, record_id, version) -> list:
    """The record's newest events down to the one that made `version` (its `data`
    holds the record's `updated_at` after the change), newest first."""
    recent = list(
        Event.objects.for_account(account)
        .of_record(record_type, record_id)
        .select_related("actor")[:RECENT_EVENTS]
    )
    for index, event in enumerate(recent):
        moment = parse_datetime(str(event.data.get("updated_at") or ""))
        if moment is not None and version_of_moment(moment) == version:
            return recent[:index]
    # No event names the version (older than the recent ones, or appended without the
    # record's data): those appended after the version's moment.
    return [event for event in recent if int(version_of_moment(event.at)) > int(version)]


def _shown(form, name, value) -> str:
    """A form value as the field shows it: a choice's label, else the text."""
    field = form.fields[name]
    value = field.prepare_value(value)
    if value in (None, "", []):
        return ""
    choices = getattr(field, "choices", None)
    if choices is not None:
        for key, label in _flat(choices):
            if str(getattr(key, "value", key)) == str(value):
                return str(label)
    return str(value)


def _flat(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):  # an option group
            yield from label
        else:
            yield key, label
