"""Activity rows as every page shows them (the agenda, the dashboard, a row answered
after an action): the tabs' querysets, their capped counts and each row's display fields.

Every tab is one range of one index (see Activity.Meta.indexes), and its count stops
at COUNT_CAP ("999+"), so a page costs the same for ten activities or a million.
"""

from django.db.models import QuerySet

from activities.models import Activity, count_up_to
from web.moments import Day, describe_moment

ROW_RELATED = ("contact", "company", "deal", "owner")
# Counts stop here and read "999+": an exact count of a huge list reads all of it.
COUNT_CAP = 999
TABS = [("overdue", "Overdue"), ("today", "Today"), ("upcoming", "Upcoming"), ("done", "Done")]


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
