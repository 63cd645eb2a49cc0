"""The record timeline of the staff UI, shared by the contact, company and deal pages.

A page that shows a record's timeline puts `timeline_context(request, record)` in its
context as `timeline` and includes `web/_timeline.html` (see that template's header).
The views of web/timeline/ serve the timeline's htmx requests for any of the three
record types: the next page ("Load more"), the inline forms (log a call, add a note,
log an email, add a task) and "Complete" on a task. Each costs a constant number of queries:
one for the page's keys (a UNION ALL in timeline/entries.py), one per kind of entry
on the page, one for the people named on it and one for the stages of its deals.
"""

from dataclasses import dataclass, field

from accounts.models import User
from companies.models import Company
from contacts.models import Contact
from deals.models import Deal, Stage
from notes.sanitize import sanitize_body
from timeline.entries import ACTIVITY, DEAL, NOTE, load_entries, timeline_keys
from web.formatting import format_money
from web.timeline.forms import LOG_FORMS

PAGE_SIZE = 20
LAST_PAGE = 999_999  # "Load more" pages; beyond, the OFFSET alone would cost
LOG_KINDS = [
    ("call", "Log a call"),
    ("note", "Add a note"),
    ("email", "Log an email"),
    ("task", "Add a task"),
]
DEFAULT_LOG_KIND = "call"


@dataclass(frozen=True)
class TimelineTarget:
    """A record type that has a timeline: its model and the link field pointing at it."""

    record_type: str
    model: type
    field: str
    with_deals: bool


TARGETS = {
    "contact": TimelineTarget("contact", Contact, "contact_id", with_deals=True),
    "company": TimelineTarget("company", Company, "company_id", with_deals=True),
    "deal": TimelineTarget("deal", Deal, "deal_id", with_deals=False),
}
TARGETS_BY_MODEL = {target.model: target for target in TARGETS.values()}


@dataclass
class Timeline:
    """What `web/_timeline.html` renders."""

    record_type: str
    record: object
    entries: list
    next_page: int | None
    log_kind: str
    form: object
    page: int = 1
    log_kinds: list = field(default_factory=lambda: LOG_KINDS)

    @property
    def dom_id(self) -> str:
        return f"timeline-{self.record_type}-{self.record.pk}"


def target_for(record) -> TimelineTarget:
    try:
        return TARGETS_BY_MODEL[type(record)]
    except KeyError:
        raise TypeError(f"{type(record).__name__} has no timeline") from None


def timeline_entries(request, record, *, page: int = 1):
    """One page of the record's timeline, newest first, and the next page number.

    Constant queries: the keys, one query per kind on the page, the people, the stages.
    """
    target = target_for(record)
    account = request.account
    keys = timeline_keys(
        account=account, field=target.field, record_id=record.pk, with_deals=target.with_deals
    )
    start = (page - 1) * PAGE_SIZE
    rows = list(keys[start : start + PAGE_SIZE + 1])  # one extra row says "there is more"
    entries = load_entries(account=account, keys=rows[:PAGE_SIZE])
    attach_people_and_stages(account, entries)
    return entries, (page + 1 if len(rows) > PAGE_SIZE else None)


def attach_people_and_stages(account, entries) -> None:
    """`entry.person` (author or owner), `entry.stage` and `entry.value_display` (deals)
    and `entry.body_html` (notes): two queries for the whole page."""
    user_ids, stage_ids = set(), set()
    for entry in entries:
        record = entry.record
        if entry.type == NOTE:
            entry.person_id = record.author_id
            # Saved bodies are sanitised already; bulk writes skip save(), so again here.
            entry.body_html = sanitize_body(record.body)
        elif entry.type == ACTIVITY:
            entry.person_id = record.owner_id
        else:
            entry.person_id = record.owner_id
            stage_ids.add(record.stage_id)
        if entry.person_id:
            user_ids.add(entry.person_id)
    people = User.objects.in_bulk(user_ids) if user_ids else {}
    stages = Stage.objects.for_account(account).in_bulk(stage_ids) if stage_ids else {}
    for entry in entries:
        entry.person = people.get(entry.person_id)
        if entry.type == DEAL:
            entry.stage = stages.get(entry.record.stage_id)
            entry.value_display = format_money(entry.record.value_cents, entry.record.currency)


def log_form(request, kind: str, data=None, files=None):
    return LOG_FORMS[kind](
        data, files, account=request.account, user=request.user, prefix=f"log-{kind}"
    )


def log_kind_of(value) -> str:
    return value if value in LOG_FORMS else DEFAULT_LOG_KIND


def timeline_context(request, record, *, form=None, log_kind=None) -> Timeline:
    """The `timeline` context variable for a record page (first page of entries).

    `?log=note|call|task` in the page's URL opens that inline form (the tabs work
    without JavaScript that way).
    """
    kind = log_kind_of(log_kind or request.GET.get("log"))
    entries, next_page = timeline_entries(request, record)
    return Timeline(
        record_type=target_for(record).record_type,
        record=record,
        entries=entries,
        next_page=next_page,
        log_kind=kind,
        form=form if form is not None else log_form(request, kind),
    )
