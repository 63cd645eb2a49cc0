"""How an event reads in the web app: who, from where, and each change as
"label: before → after" in words a person reads (names, money, dates, stage names).

`describe_events` decorates a page of events in a constant number of queries: the ids
that changes name (owners, stages, pipelines, companies, contacts) are collected over
the whole page first and loaded with one query per kind of record.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.utils.dateformat import format as date_format
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import capfirst

from accounts.models import User
from companies.models import Company
from contacts.models import Contact
from deals.models import Deal, Pipeline, Stage
from events.models import Source
from web.formatting import format_money, local_time

MODELS = {"contact": Contact, "company": Company, "deal": Deal}
# Where the model's own verbose name is not what the forms call the field.
LABELS = {
    "contact": {"title": "Job title"},
    "company": {"domain": "Web domain", "parent": "Parent company"},
    "deal": {
        "value_cents": "Value",
        "lost_reason": "Lost because",
        "closed_at": "Closed",
        "probability": "Probability",
        "stage_entered_at": "In stage since",
    },
}
# Fields holding the id of another row, and the model that names it.
REFERENCES = {
    "owner": User,
    "stage": Stage,
    "pipeline": Pipeline,
    "company": Company,
    "parent": Company,
    "contact": Contact,
}
ACTIONS = {
    "created": "created",
    "updated": "changed",
    "deleted": "deleted",
    "restored": "restored",
    "merged": "merged",
    "moved": "moved",
    "won": "marked won",
    "lost": "marked lost",
    "abandoned": "abandoned",
    "reopened": "reopened",
}
# Shown by their label ("Medium", "Won"); a currency stays its code.
CHOICE_FIELDS = {"status", "size"}
DATE_FORMAT = "M j, Y"
MOMENT_FORMAT = "M j, Y, H:i"


@dataclass
class Change:
    """One changed field: its label and both values as text (None: empty), or as lists
    of names for tags."""

    field: str
    label: str
    before: object
    after: object

    @property
    def is_list(self) -> bool:
        return isinstance(self.before, list) or isinstance(self.after, list)


def actor_name(event) -> str:
    """The acting user's name, or "System" when no user acted (or the user is gone)."""
    user = event.actor
    if user is None:
        return "System"
    return user.get_full_name() or user.get_username()


def field_label(record_type: str, name: str) -> str:
    """The field's label as the web app's forms show it."""
    if name in LABELS.get(record_type, {}):
        return LABELS[record_type][name]
    field = _model_field(record_type, name)
    if field is None:  # tags, custom fields: not columns
        return capfirst(name.replace("_", " "))
    return capfirst(field.verbose_name)


class RecordNames:
    """The ids named by a page's changes, loaded with one query per model."""

    def __init__(self, account):
        self.account = account
        self.wanted: dict[type, set] = {}
        self.loaded: dict[type, dict] = {}

    def want(self, model, value) -> None:
        if isinstance(value, int) and not isinstance(value, bool):
            self.wanted.setdefault(model, set()).add(value)

    def load(self) -> None:
        for model, ids in self.wanted.items():
            if model is User:
                # Not scoped to today's members: history keeps naming those who left.
                rows = User.objects.in_bulk(ids)
            else:
                rows = model.objects.for_account(self.account).in_bulk(ids)
            self.loaded[model] = rows

    def name(self, model, value) -> str:
        """What the row is called; "#id (deleted)" when it is gone. No query."""
        row = self.loaded.get(model, {}).get(value)
        if row is None:
            return f"#{value} (deleted)"
        if model is User:
            return row.get_full_name() or row.get_username()
        if model is Contact:
            return row.full_name
        return getattr(row, "title", None) or row.name


def describe_events(events, *, account, record_type: str, extra_stage_ids=()) -> RecordNames:
    """Give each event `actor_name`, `source_label`, `local_at` (in the account's time
    zone), `verb` and `change_list` (a list of `Change`). Queries: one per kind of
    record the page's changes name, whatever the number of events. Returns the loaded
    names, so a caller can name more stages (`extra_stage_ids`) without a query."""
    names = RecordNames(account)
    for stage_id in extra_stage_ids:
        names.want(Stage, stage_id)
    for event in events:
        for field_name, pair in event.changes.items():
            model = REFERENCES.get(field_name)
            if model is not None and isinstance(pair, list | tuple):
                for value in pair:
                    names.want(model, value)
    names.load()
    zone = account.zone
    sources = dict(Source.choices)
    for event in events:
        event.actor_name = actor_name(event)
        event.source_label = sources.get(event.source, event.source)
        event.local_at = local_time(event.at, zone)
        event.verb = ACTIONS.get(event.action, event.action.replace("_", " "))
        event.change_list = [
            _change(record_type, field_name, pair, event, names, account)
            for field_name, pair in event.changes.items()
            if isinstance(pair, list | tuple) and len(pair) == 2
        ]
    return names


def _change(record_type, field_name, pair, event, names, account) -> Change:
    before, after = pair
    currencies = event.changes.get("currency") or [None, None]
    fallback = event.data.get("currency") or account.currency
    return Change(
        field=field_name,
        label=field_label(record_type, field_name),
        before=_readable(
            record_type, field_name, before, names, account, currency=currencies[0] or fallback
        ),
        after=_readable(
            record_type, field_name, after, names, account, currency=currencies[1] or fallback
        ),
    )


def _readable(record_type, name, value, names, account, *, currency):
    """A JSON value of the API as text; None for an empty value."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if name in REFERENCES:
        return names.name(REFERENCES[name], value)
    if name == "tags" and isinstance(value, list):
        return [str(tag) for tag in value]
    if name.endswith("_cents") and isinstance(value, int):
        return format_money(value, currency)
    if name in ("probability", "effective_probability") and isinstance(value, int):
        return f"{value}%"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str) and name.endswith("_at"):
        moment = parse_datetime(value)
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            return date_format(local_time(moment, account.zone), MOMENT_FORMAT)
    if isinstance(value, str) and name.endswith("_date"):
        day = parse_date(value)
        if day is not None:
            return date_format(day, DATE_FORMAT)
    if isinstance(value, dict):
        return ", ".join(f"{key}: {item}" for key, item in sorted(value.items()))
    field = _model_field(record_type, name)
    if name in CHOICE_FIELDS and field is not None:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _model_field(record_type, name):
    model = MODELS.get(record_type)
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
