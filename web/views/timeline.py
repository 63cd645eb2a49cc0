"""The record timeline of the staff UI, shared by the contact, company and deal pages.

A page that shows a record's timeline puts `timeline_context(request, record)` in its
context as `timeline` and includes `web/_timeline.html` (see that template's header).
The views below serve the timeline's htmx requests for any of the three record
types: the next page ("Load more"), the inline forms (log a call, add a note, add a
task) and "Complete" on a task. Each costs a constant number of queries:
one for the page's keys (a UNION ALL in timeline/entries.py), one per kind of entry
on the page, one for the people named on it and one for the stages of its deals.
"""

import json
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.models import User
from activities.models import Activity, InvalidTransition
from activities.services import activity_complete
from companies.models import Company
from contacts.models import Contact
from deals.models import Deal, Stage
from events.models import Source
from lib.ids import parse_page_number
from notes.sanitize import sanitize_body
from timeline.entries import ACTIVITY, DEAL, NOTE, Entry, load_entries, timeline_keys
from web.formatting import format_money
from web.forms import LOG_FORMS
from web.tenancy import AccountViewMixin

PAGE_SIZE = 20
LAST_PAGE = 999_999  # "Load more" pages; beyond, the OFFSET alone would cost
LOG_KINDS = [("call", "Log a call"), ("note", "Add a note"), ("task", "Add a task")]
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


def _target_for(record) -> TimelineTarget:
    try:
        return TARGETS_BY_MODEL[type(record)]
    except KeyError:
        raise TypeError(f"{type(record).__name__} has no timeline") from None


def timeline_entries(request, record, *, page: int = 1):
    """One page of the record's timeline, newest first, and the next page number.

    Constant queries: the keys, one query per kind on the page, the people, the stages.
    """
    target = _target_for(record)
    account = request.account
    keys = timeline_keys(
        account=account, field=target.field, record_id=record.pk, with_deals=target.with_deals
    )
    start = (page - 1) * PAGE_SIZE
    rows = list(keys[start : start + PAGE_SIZE + 1])  # one extra row says "there is more"
    entries = load_entries(account=account, keys=rows[:PAGE_SIZE])
    _attach_people_and_stages(account, entries)
    return entries, (page + 1 if len(rows) > PAGE_SIZE else None)


def _attach_people_and_stages(account, entries) -> None:
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


def _log_form(request, kind: str, data=None):
    return LOG_FORMS[kind](data, account=request.account, user=request.user, prefix=f"log-{kind}")


def _log_kind(value) -> str:
    return value if value in LOG_FORMS else DEFAULT_LOG_KIND


def timeline_context(request, record, *, form=None, log_kind=None) -> Timeline:
    """The `timeline` context variable for a record page (first page of entries).

    `?log=note|call|task` in the page's URL opens that inline form (the tabs work
    without JavaScript that way).
    """
    kind = _log_kind(log_kind or request.GET.get("log"))
    entries, next_page = timeline_entries(request, record)
    return Timeline(
        record_type=_target_for(record).record_type,
        record=record,
        entries=entries,
        next_page=next_page,
        log_kind=kind,
        form=form if form is not None else _log_form(request, kind),
    )


class TimelineRecordMixin(AccountViewMixin):
    """The record named by `<pk>` in the URL, among the account's rows of `model`.

    One route per record type (web/routes/contacts.py) gets its own subclass from
    `for_record_type()`, so `model` is always the record's model and the URL's
    `record_type` names it for `{% url %}`.
    """

    record_type = None

    @classmethod
    def for_record_type(cls, record_type: str):
        target = TARGETS[record_type]
        view = type(
            f"{target.model.__name__}{cls.__name__}",
            (cls,),
            {"model": target.model, "record_type": record_type},
        )
        return view.as_view()

    def get_record(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


def back_to(request) -> str:
    """The page the request came from, when it is one of ours; else the dashboard."""
    target = request.headers.get("Referer", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


class TimelinePageView(TimelineRecordMixin, View):
    """GET `?page=N` (htmx, from "Load more"): the entries of page N, then the next
    "Load more" if there are more."""

    def get(self, request, record_type, pk):
        record = self.get_record()
        page = parse_page_number(request.GET.get("page"), last=LAST_PAGE)
        entries, next_page = timeline_entries(request, record, page=page)
        timeline = Timeline(
            record_type=record_type,
            record=record,
            entries=entries,
            next_page=next_page,
            log_kind=DEFAULT_LOG_KIND,
            form=None,
            page=page,
        )
        response = render(request, "web/_timeline.html#entries", {"timeline": timeline})
        patch_vary_headers(response, ["HX-Request"])
        return response


class TimelineLogView(TimelineRecordMixin, View):
    """GET `?kind=`: the inline form of that kind (the tabs, over htmx).
    POST: create the note, call or task on the record and answer the refreshed
    timeline; with errors, the same timeline with the form and its errors."""

    def get(self, request, record_type, pk):
        record = self.get_record()
        kind = _log_kind(request.GET.get("kind"))
        timeline = Timeline(
            record_type=record_type,
            record=record,
            entries=[],
            next_page=None,
            log_kind=kind,
            form=_log_form(request, kind),
        )
        return render(request, "web/_log_forms.html", {"timeline": timeline})

    def post(self, request, record_type, pk):
        record = self.get_record()
        kind = _log_kind(request.POST.get("kind"))
        form = _log_form(request, kind, request.POST)
        saved = form.is_valid()
        if saved:
            form.create({_target_for(record).field: record.pk})
            form = None
        if not request.htmx:  # without JavaScript: back to the record's page
            if not saved:
                messages.error(
                    request,
                    "; ".join(
                        f"{form[name].label}: {' '.join(errors)}"
                        if name in form.fields
                        else " ".join(errors)
                        for name, errors in form.errors.items()
                    ),
                )
            return HttpResponseRedirect(back_to(request))
        timeline = timeline_context(request, record, form=form, log_kind=kind)
        response = render(request, "web/_timeline.html", {"timeline": timeline})
        if saved:
            message = {"note": "Note added", "call": "Call logged", "task": "Task added"}[kind]
            response["HX-Trigger"] = json.dumps({"toast": message})
        return response


class ActivityCompleteView(AccountViewMixin, View):
    """POST: complete a pending activity (its status machine decides) and answer its
    refreshed timeline entry."""

    model = Activity
    http_method_names = ["post"]

    def post(self, request, pk):
        activity = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            activity_complete(activity=activity, by=request.user, source=Source.UI)
            message = "Task completed"
        except InvalidTransition:
            message = f"This activity is already {activity.get_status_display().lower()}."
        if not request.htmx:
            return HttpResponseRedirect(back_to(request))
        entry = Entry(type=ACTIVITY, id=activity.pk, at=activity.timeline_at, record=activity)
        _attach_people_and_stages(request.account, [entry])
        response = render(request, "web/_timeline.html#entry", {"entry": entry})
        response["HX-Trigger"] = json.dumps({"toast": message})
        return response
