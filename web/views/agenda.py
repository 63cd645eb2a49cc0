"""The activity agenda: overdue / today / upcoming / done, by owner and type.

"Today" is today in the account's time zone. Overdue follows the model
(`Activity.objects.overdue()`: not done and due before now), so an activity due this
morning is overdue, not "today"; "today" holds what is still ahead until midnight.

Every tab is one range of one index (see Activity.Meta.indexes), and its count stops
at COUNT_CAP ("999+"), so the page costs the same for ten activities or a million.
"""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from accounts.models import User
from activities.models import Activity, count_up_to
from lib.ids import parse_id, parse_page_number
from web.formatting import local_time
from web.tenancy import AccountViewMixin

PAGE_SIZE = 25
ROW_RELATED = ("contact", "company", "deal", "owner")
# Counts stop here and read "999+": an exact count of a huge list reads all of it.
COUNT_CAP = 999
LAST_PAGE_COUNTED = 10**9  # keeps the page window's LIMIT a 64-bit number


@dataclass(frozen=True)
class Day:
    """`now` and the bounds of today in the account's time zone (aware datetimes)."""

    now: dt.datetime
    start: dt.datetime
    end: dt.datetime  # the next midnight
    zone: dt.tzinfo

    @classmethod
    def of(cls, account, now=None) -> "Day":
        now = now or timezone.now()
        zone = account.zone
        today = timezone.localtime(now, zone).date()
        start = dt.datetime.combine(today, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return cls(now=now, start=start, end=end, zone=zone)


def tab_querysets(activities: QuerySet, day: Day) -> dict[str, QuerySet]:
    """The four tabs of `activities` (the account's, maybe narrowed by owner and type)."""
    return {
        "overdue": activities.overdue(day.now),
        "today": activities.due_between(day.now, day.end),
        "upcoming": activities.due_from(day.end),  # undated ones too, last
        "done": activities.done(),
    }


def in_tab_order(activities: QuerySet, tab: str) -> QuerySet:
    """Soonest due first; in "done", the latest finished first."""
    return activities.latest_done_first() if tab == "done" else activities.by_due_date()


def capped_counts(querysets: dict[str, QuerySet], *, further=None) -> dict[str, int]:
    """Each list's count, exact up to COUNT_CAP and COUNT_CAP + 1 past it (shown
    "999+" by `shown_count`); `further` counts some lists that many rows further. One
    query whatever the data size."""
    further = further or {}
    return count_up_to(
        **{
            name: (queryset, COUNT_CAP + 1 + further.get(name, 0))
            for name, queryset in querysets.items()
        }
    )


def shown_count(count: int) -> str:
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


TABS = [("overdue", "Overdue"), ("today", "Today"), ("upcoming", "Upcoming"), ("done", "Done")]


def describe_moment(value, *, day: Day) -> tuple[str, str]:
    """(relative, absolute) wording of a datetime in the account's zone:
    ("in 3 hours", "Wed 25 Nov, 14:00")."""
    local = local_time(value, day.zone)
    today = timezone.localtime(day.now, day.zone).date()
    days = (local.date() - today).days
    absolute = f"{local:%a} {local.day} {local:%b}"
    if local.year != today.year:
        absolute += f" {local.year}"
    absolute += f", {local:%H:%M}"
    seconds = (value - day.now).total_seconds()
    if days == 0:
        minutes = round(abs(seconds) / 60)
        if minutes < 1:
            relative = "now"
        elif minutes < 60:
            relative = f"in {minutes} min" if seconds > 0 else f"{minutes} min ago"
        else:
            hours = round(minutes / 60)
            unit = "hour" if hours == 1 else "hours"
            relative = f"in {hours} {unit}" if seconds > 0 else f"{hours} {unit} ago"
    elif days == 1:
        relative = "tomorrow"
    elif days == -1:
        relative = "yesterday"
    elif abs(days) < 14:
        relative = f"in {days} days" if days > 0 else f"{-days} days ago"
    elif abs(days) < 60:
        weeks = round(abs(days) / 7)
        relative = f"in {weeks} weeks" if days > 0 else f"{weeks} weeks ago"
    else:
        months = round(abs(days) / 30)
        relative = f"in {months} months" if days > 0 else f"{months} months ago"
    return relative, absolute


def decorate_activities(activities, *, day: Day):
    """Give each activity its display fields (no query: the links are select_related)."""
    for activity in activities:
        activity.overdue_now = (
            activity.status in Activity.ACTIVE
            and activity.due_at is not None
            and activity.due_at < day.now
        )
        activity.due_relative = activity.due_absolute = ""
        if activity.due_at:
            activity.due_relative, activity.due_absolute = describe_moment(activity.due_at, day=day)
        activity.done_relative = activity.done_absolute = ""
        if activity.completed_at:
            activity.done_relative, activity.done_absolute = describe_moment(
                activity.completed_at, day=day
            )
        activity.can_start = activity.status == Activity.Status.PENDING
        activity.can_finish = activity.status in Activity.ACTIVE
    return activities


def members_of(account):
    """The users who can own the account's records (the owner filter's choices)."""
    return User.objects.filter(memberships__account=account).order_by(
        "first_name", "last_name", "username"
    )


class AgendaFilter(forms.Form):
    tab = forms.ChoiceField(choices=TABS, required=False)
    owner = forms.ChoiceField(required=False)
    type = forms.ChoiceField(required=False, choices=[("", "All types"), *Activity.Type.choices])

    def __init__(self, data, *, members, me):
        super().__init__(data)
        self.me = me
        self.members = members
        self.fields["owner"].choices = [
            ("", "Me"),
            ("all", "Everyone"),
            ("none", "Unassigned"),
            *[(str(m.pk), m.get_full_name() or m.username) for m in members if m.pk != me.pk],
        ]

    def value(self, name):
        """The cleaned value, or the default ("") when that parameter was bad."""
        self.is_valid()  # cleaned_data keeps the fields that were valid
        return self.cleaned_data.get(name) or ""

    def narrow(self, queryset):
        owner = self.value("owner")
        if owner == "":
            queryset = queryset.filter(owner=self.me)
        elif owner == "none":
            queryset = queryset.filter(owner__isnull=True)
        elif owner != "all":
            queryset = queryset.filter(owner_id=parse_id(owner))
        if self.value("type"):
            queryset = queryset.filter(type=self.value("type"))
        return queryset


class CountedPaginator(Paginator):
    """A Paginator told its count (the tab counts query has read it), so a page runs
    no COUNT of its own."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.known_count = count

    @property
    def count(self) -> int:
        return self.known_count


class AgendaView(AccountViewMixin, TemplateView):
    """`GET /agenda/?tab=&owner=&type=&page=`: 3 queries besides the session's."""

    model = Activity
    template_name = "web/agenda/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        members = list(members_of(request.account))
        filters = AgendaFilter(request.GET, members=members, me=request.user)
        tab = filters.value("tab") or "overdue"
        day = Day.of(request.account)
        tabs = tab_querysets(filters.narrow(self.get_queryset()), day)
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
        total_known = counts[tab] <= COUNT_CAP + skipped
        context.update(
            filters=filters,
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

    def get_template_names(self):
        if self.request.htmx:
            target = self.request.htmx.target
            part = "tabs" if target == "agenda-tabs" else "results"
            return [f"{self.template_name}#{part}"]
        return [self.template_name]

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response
