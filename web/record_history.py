"""A record's History tab: its events, newest first, who changed what, when and from
where; for a deal also the stages it stood in and for how long.

One view per URL (`/contacts/<pk>/history/`, `/companies/<pk>/history/`,
`/deals/<pk>/history/`, each in its area's urls.py). Over htmx it answers the named
partial: `#panel` (the tabs and the history card, swapped for the page's Timeline)
or, for "Show older changes" (`?before=<event id>`), `#rows`. Otherwise the full page,
which is also what a browser without JavaScript follows the tab's link to.

Queries, whatever the number of events: the record, one page of events with their
actors, one per kind of record their changes name and, for a deal, its stage moves.
"""

from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View

from companies.models import Company
from contacts.models import Contact
from deals.models import Deal, Stage
from events.models import Event
from lib.ids import parse_id
from web.event_changes import describe_events
from web.stage_visits import describe_visits, stage_visits
from web.tenancy import AccountViewMixin

PAGE_SIZE = 25


class RecordHistoryView(AccountViewMixin, View):
    """GET a record's history; another account's record is a 404 like a missing one."""

    model = None
    record_type = ""
    template_name = "web/history/page.html"

    def get(self, request, pk):
        record = self.get_object()
        before = parse_id(request.GET.get("before", ""))
        events = Event.objects.for_account(request.account).of_record(self.record_type, record.pk)
        if before is not None:
            events = events.filter(id__lt=before)
        # One row past the page says there is an older page (keyset: no count, no OFFSET).
        page = list(events.select_related("actor")[: PAGE_SIZE + 1])
        older = page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None
        page = page[:PAGE_SIZE]
        context = {
            "record": record,
            "record_type": self.record_type,
            "record_title": record_title(record),
            "record_url": reverse(f"web:{self.record_type}", args=[record.pk]),
            "history_url": request.path,
            "events": page,
            "older": older,
            "first_page": before is None,
        }
        visits = []
        if self.record_type == "deal" and before is None:
            visits = stage_visits(account=request.account, deal=record)
        names = describe_events(
            page,
            account=request.account,
            record_type=self.record_type,
            extra_stage_ids=[visit.stage_id for visit in visits],
        )
        if visits:
            context.update(self.stage_context(record, visits, names))
        if not request.htmx:
            response = render(request, self.template_name, context)
        elif before is not None:
            response = render(request, f"{self.template_name}#rows", context)
        else:
            response = render(request, f"{self.template_name}#panel", context)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def stage_context(self, deal, visits, names) -> dict:
        return describe_visits(
            deal,
            visits,
            zone=self.request.account.zone,
            names=lambda stage_id: names.name(Stage, stage_id),
        )


def record_title(record) -> str:
    """What the record is called on its page."""
    if isinstance(record, Contact):
        return record.full_name
    if isinstance(record, Deal):
        return record.title
    return record.name


class ContactHistoryView(RecordHistoryView):
    model = Contact
    record_type = "contact"


class CompanyHistoryView(RecordHistoryView):
    model = Company
    record_type = "company"


class DealHistoryView(RecordHistoryView):
    model = Deal
    record_type = "deal"
