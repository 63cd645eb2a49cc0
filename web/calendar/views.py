"""The calendar: a week or a month of my (or a teammate's) activities, in the account's
time zone, and the secret feed that puts them in a calendar program.

Rescheduling: every activity in the grid carries a "Move to…" form (a date, and a
time that defaults to the one it has); dragging it onto another day fills in that
form's date and submits it (web/static/web/calendar.js), so the mouse and the keyboard
take the same path: `ActivityMoveView` → `activities.services.activity_reschedule`. Over
htmx the move answers a toast and an `activity-changed` event, on which the grid
reloads itself; without JavaScript it redirects back to the same view.

Queries per page, whatever the data: the session's, the members (the owner picker),
the chosen owner when one is asked for, the feed and the activities of the period.
"""

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.views import View
from django.views.generic import TemplateView

from accounts.models import User
from activities.calendar_feeds import feed_url
from activities.models import Activity
from activities.services import activity_reschedule, calendar_feed_of, calendar_feed_reset
from events.models import Source
from web.calendar.forms import CalendarForm, MoveForm
from web.calendar.periods import KINDS, Period
from web.formatting import local_time
from web.htmx_partials import PartialByTargetMixin
from web.moments import Day
from web.tenancy import AccountViewMixin

# A month of a very busy owner still renders in one query; past this many the page
# says it shows the first ones (the agenda lists them all).
PERIOD_LIMIT = 400
QUERY_KEYS = ("view", "date", "owner")


@dataclass
class CalendarDay:
    date: dt.date
    is_today: bool
    in_period: bool  # false for the edges of the months around a month in view
    activities: list = field(default_factory=list)


def calendar_url(**query) -> str:
    """The calendar page for `view`, `date` and `owner` (the ones given)."""
    query = {key: value for key, value in query.items() if value}
    return reverse("web:calendar") + (f"?{urlencode(query)}" if query else "")


class CalendarView(PartialByTargetMixin, AccountViewMixin, TemplateView):
    """`GET /calendar/?view=week|month&date=YYYY-MM-DD&owner=<member id>`."""

    model = Activity
    template_name = "web/calendar/calendar.html"
    partials = {"calendar-grid": "grid"}

    def scope_queryset(self, queryset):
        return queryset.select_related("contact", "company", "deal")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        account = request.account
        day = Day.of(account)
        today = day.start.date()
        form = CalendarForm(
            request.GET, members=User.objects.members_of(account), me=request.user, today=today
        )
        period = Period.of(form.value("view"), form.value("date"), day.zone)
        owner = form.value("owner")
        rows = list(
            self.get_queryset()
            .filter(owner=owner, due_at__gte=period.start, due_at__lt=period.end)
            .order_by("due_at", "id")[: PERIOD_LIMIT + 1]
        )
        days = {
            date: CalendarDay(
                date=date, is_today=date == today, in_period=period.shows_month_of(date)
            )
            for date in period.days
        }
        for activity in rows[:PERIOD_LIMIT]:
            # Formatted here: the template's date filters would show the active time
            # zone (UTC), not the account's.
            local = local_time(activity.due_at, day.zone)
            activity.local_date = local.date().isoformat()
            activity.local_time = f"{local:%H:%M}"
            activity.is_open = activity.status in Activity.ACTIVE
            days[local.date()].activities.append(activity)
        owner_query = "" if owner == request.user else str(owner.pk)
        state = {"view": period.kind, "date": period.anchor.isoformat(), "owner": owner_query}
        weeks = defaultdict(list)
        for index, calendar_day in enumerate(days.values()):
            weeks[index // 7].append(calendar_day)
        context.update(
            form=form,
            period=period,
            owner=owner,
            is_mine=owner == request.user,
            weeks=list(weeks.values()),
            truncated=len(rows) > PERIOD_LIMIT,
            period_limit=PERIOD_LIMIT,
            state=state,
            this_url=calendar_url(**state),
            previous_url=calendar_url(**{**state, "date": period.previous.isoformat()}),
            next_url=calendar_url(**{**state, "date": period.next.isoformat()}),
            today_url=calendar_url(**{**state, "date": ""}),
            kind_urls=[
                (kind, label, calendar_url(**{**state, "view": kind}), kind == period.kind)
                for kind, label in KINDS
            ],
            feed_url=feed_url(request, calendar_feed_of(account=account, user=request.user)),
        )
        return context


def back_to_calendar(request) -> HttpResponseRedirect:
    """Back to the view a form was posted from: its `back_view`, `back_date` and
    `back_owner`, as a query of the calendar's own path (never another address)."""
    query = {key: request.POST.get(f"back_{key}") for key in QUERY_KEYS}
    return HttpResponseRedirect(calendar_url(**query))


class ActivityMoveView(AccountViewMixin, View):
    """`POST /calendar/activities/<id>/move/` with `date` (and `time`, and `shift`
    -1 or 1 for the day before or after `date`): reschedule."""

    model = Activity
    http_method_names = ["post"]

    def post(self, request, pk):
        activity = self.get_object()
        form = MoveForm(request.POST)
        if not form.is_valid():
            errors = " ".join(error for errors in form.errors.values() for error in errors)
            return self.answer(f"Not moved: {errors}", status=400)
        zone = request.account.zone
        try:
            activity = activity_reschedule(
                activity=activity,
                by=request.user,
                source=Source.UI,
                day=form.day(),
                zone=zone,
                at=form.cleaned_data["time"],
            )
        except ValidationError as exc:  # a day at the calendar's very end, in this zone
            return self.answer(f"Not moved: {' '.join(exc.messages)}", status=400)
        moved = local_time(activity.due_at, zone)
        return self.answer(f"Moved “{activity.subject}” to {moved:%a %-d %b, %H:%M}.")

    def answer(self, message: str, *, status: int = 200):
        request = self.request
        if not request.htmx:
            (messages.success if status == 200 else messages.error)(request, message)
            return back_to_calendar(request)
        response = HttpResponse(status=status)
        events = {"toast": message}
        if status == 200:
            events["activity-changed"] = {"id": self.kwargs["pk"]}
        response["HX-Trigger"] = json.dumps(events)
        return response


class FeedResetView(AccountViewMixin, View):
    """`POST /calendar/feed/reset/`: a new secret URL; the old one stops working."""

    http_method_names = ["post"]

    def post(self, request):
        calendar_feed_reset(account=request.account, user=request.user)
        messages.success(
            request,
            "Your calendar feed has a new address. Calendars subscribed to the old one "
            "no longer update: subscribe again with the new one.",
        )
        return back_to_calendar(request)
