"""The activity agenda (overdue / today / upcoming / done, by owner and type) and the
activity actions every page's rows post to (start, complete, cancel, reopen,
reschedule, delete).

"Today" is today in the account's time zone. Overdue follows the model
(`Activity.objects.overdue()`: not done and due before now), so an activity due this
morning is overdue, not "today"; "today" holds what is still ahead until midnight.

The actions: activities.services (`activity_start/complete/cancel/reopen`, and
`activity_reschedule` for the date shortcuts), the one write
path, applies the activity's status machine to the locked row and records it; the view
only translates HTTP. From htmx it answers with the row in its new state (empty once
the activity is done, so the row leaves the list), a toast, and an `activity-changed`
event that counters listen to; an illegal move is a 409 with the model's message.
Without JavaScript it redirects back to `next` with a message.
"""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from accounts.models import User
from activities.models import Activity, InvalidTransition
from activities.services import (
    activity_cancel,
    activity_complete,
    activity_delete,
    activity_reopen,
    activity_reschedule,
    activity_start,
)
from events.models import Source
from lib.ids import parse_page_number
from web import activity_rows
from web.activities.filters import AgendaFilter
from web.activities.forms import RescheduleForm
from web.activity_rows import (
    ROW_RELATED,
    TABS,
    capped_counts,
    decorate_activities,
    in_tab_order,
    shown_count,
    tab_querysets,
)
from web.crud import RowDeleteView
from web.htmx_partials import PartialByTargetMixin
from web.moments import Day
from web.tenancy import AccountViewMixin

PAGE_SIZE = 25
LAST_PAGE_COUNTED = 10**9  # keeps the page window's LIMIT a 64-bit number


class CountedPaginator(Paginator):
    """A Paginator told its count (the tab counts query has read it), so a page runs
    no COUNT of its own."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


class AgendaView(PartialByTargetMixin, AccountViewMixin, TemplateView):
    """`GET /agenda/?tab=&owner=&type=&page=`: 3 queries besides the session's."""

    model = Activity
    template_name = "web/agenda/list.html"
    partials = {"agenda-tabs": "tabs"}
    default_partial = "results"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        members = list(User.objects.members_of(request.account))
        filters = AgendaFilter(
            request.GET, queryset=self.get_queryset(), request=request, members=members
        )
        tab = filters.value("tab") or "overdue"
        day = Day.of(request.account)
        tabs = tab_querysets(filters.qs, day)
        # The open tab is counted past the requested page, so its pages can be
        # numbered up to there and COUNT_CAP rows beyond: "Next" always reaches the end.
        skipped = (
            parse_page_number(request.GET.get("page"), last=LAST_PAGE_COUNTED) - 1
        ) * PAGE_SIZE
        counts = capped_counts(tabs, further={tab: skipped})
        rows = in_tab_order(tabs[tab].select_related(*ROW_RELATED), tab)
        page = CountedPaginator(rows, PAGE_SIZE, count=counts[tab]).get_page(
            request.GET.get("page")
        )
        decorate_activities(page.object_list, day=day)
        query = request.GET.copy()
        query.pop("page", None)
        query.pop("tab", None)
        total_known = counts[tab] <= activity_rows.COUNT_CAP + skipped
        context.update(
            filters=filters.form,
            tab=tab,
            tabs=[(name, label, counts[name], shown_count(counts[name])) for name, label in TABS],
            page=page,
            total_known=total_known,
            total_text=str(counts[tab]) if total_known else f"{counts[tab] - 1}+",
            activities=page.object_list,
            filter_query=query.urlencode(),
            show_owner=filters.value("owner") != "",
            list_url=request.get_full_path(),
        )
        return context


ACTIONS = {
    "start": (activity_start, "Started"),
    "complete": (activity_complete, "Completed"),
    "cancel": (activity_cancel, "Cancelled"),
    "reopen": (activity_reopen, "Reopened"),
}


class ActivityActionView(AccountViewMixin, View):
    model = Activity
    http_method_names = ["post"]
    action = None  # "start", "complete", "cancel" or "reopen" (set in the URL configuration)

    def scope_queryset(self, queryset):
        return queryset.select_related(*ROW_RELATED)

    def perform(self, activity) -> str:
        """Apply the action through the activity services; the message to show."""
        service, done_word = ACTIONS[self.action]
        service(activity=activity, by=self.request.user, source=Source.UI)
        return f"{done_word} “{activity.subject}”."

    def post(self, request, pk):
        activity = self.get_object()
        try:
            message = self.perform(activity)
        except InvalidTransition as exc:
            return self.refuse(activity, str(exc))
        except ValidationError as exc:  # a date outside the calendar, a bad choice
            return self.refuse(activity, " ".join(exc.messages), status=400, reload=False)
        if not request.htmx:
            messages.success(request, message)
            return HttpResponseRedirect(self.next_url())
        body = ""
        if activity.status in Activity.ACTIVE or self.action == "reopen":
            decorate_activities([activity], day=Day.of(request.account))
            body = render_to_string(
                "web/_activity_row.html",
                {
                    "activity": activity,
                    "show_owner": request.POST.get("show_owner") == "1",
                    "next": self.next_url(),
                },
                request=request,
            )
        response = HttpResponse(body)
        response["HX-Trigger"] = json.dumps(
            {"toast": message, "activity-changed": {"id": activity.pk}}
        )
        return response

    def refuse(self, activity, reason: str, *, status=409, reload=True):
        message = f"{reason} Reload the page to see its current state." if reload else reason
        if not self.request.htmx:
            messages.error(self.request, message)
            return HttpResponseRedirect(self.next_url())
        response = HttpResponse(message, status=status, content_type="text/plain")
        response["HX-Trigger"] = json.dumps({"toast": message})
        return response

    def next_url(self) -> str:
        target = self.request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            target = "/agenda/"
        return target


class ActivityRescheduleView(ActivityActionView):
    """POST `when` = today | tomorrow | in_3_days | next_week, or `date` with `day`:
    the activity moves to that day in the account's time zone, at its time of day."""

    action = "reschedule"

    def perform(self, activity) -> str:
        form = RescheduleForm(self.request.POST)
        if not form.is_valid():
            raise ValidationError("Pick when: Today, Tomorrow, In 3 days, Next week or a date.")
        account = self.request.account
        day = form.day_for(Day.of(account).start.date())
        activity_reschedule(
            activity=activity, by=self.request.user, source=Source.UI, day=day, zone=account.zone
        )
        return f"“{activity.subject}” moved to {day:%a} {day.day} {day:%b}."


class ActivityDeleteView(RowDeleteView):
    """POST from an agenda or timeline row: the activity goes to the trash; over htmx
    the row leaves and the page offers the Undo. GET: the confirm page (no JavaScript),
    which returns to `next`."""

    model = Activity
    context_object_name = "activity"
    delete_service = staticmethod(activity_delete)
    success_url = reverse_lazy("web:agenda")

    def confirm_context(self, activity) -> dict:
        return {
            "title": f"Delete “{activity.subject}”?",
            "button": "Delete activity",
            "cancel_url": str(self.success_url),
        }

    def htmx_events(self, activity) -> dict:
        return {"activity-changed": {"id": activity.pk}}  # the agenda's tab counts

    def success_message(self, activity) -> str:
        return f"Deleted “{activity.subject}”."
