"""The due-date shortcuts every due-date field and every activity list offers: Today,
Tomorrow, In 3 days, Next week, or a picked date — each keeping the time of day.

Dates are the account's calendar days and the time of day is its wall-clock time, so a
9:00 call moved across a daylight-saving change is still at 9:00 (zoneinfo does the
arithmetic on the local date, never `+ timedelta(days=n)` on an instant, which would
drift by the hour the clocks moved). A wall-clock time that does not exist on the new
day (the hour skipped in spring) lands just after the gap; one that happens twice (the
hour repeated in autumn) is the first of the two.
"""

import datetime as dt

from lib.calendar_range import LATEST_DATE

# (name, label), in the order the pages show them.
SHORTCUTS = (
    ("today", "Today"),
    ("tomorrow", "Tomorrow"),
    ("in_3_days", "In 3 days"),
    ("next_week", "Next week"),
)
SHORTCUT_NAMES = frozenset(name for name, _label in SHORTCUTS)
# An activity without a due time gets this one when a shortcut dates it.
DEFAULT_TIME = dt.time(9, 0)


def shortcut_day(name: str, *, today: dt.date) -> dt.date:
    """The calendar day shortcut `name` means, seen from `today`. "Next week" is the
    Monday of next week (as in Todoist and Google Calendar), so from a Friday it is
    three days ahead and from a Monday seven. KeyError for an unknown name."""
    if name not in SHORTCUT_NAMES:
        raise KeyError(name)
    if today >= LATEST_DATE - dt.timedelta(days=7):
        return today  # the end of the calendar: nowhere further to go
    offsets = {"today": 0, "tomorrow": 1, "in_3_days": 3, "next_week": 7 - today.weekday()}
    return today + dt.timedelta(days=offsets[name])


def time_of_day(moment: dt.datetime | None, zone: dt.tzinfo) -> dt.time:
    """The wall-clock time of `moment` in `zone`; DEFAULT_TIME when there is none."""
    if moment is None:
        return DEFAULT_TIME
    return moment.astimezone(zone).time().replace(tzinfo=None, fold=0)


def on_day(
    day: dt.date, *, keeping: dt.datetime | None, zone: dt.tzinfo, at: dt.time | None = None
) -> dt.datetime:
    """The instant (UTC) on calendar day `day` in `zone` at wall-clock time `at`, or,
    without one, at the time of day of `keeping` (DEFAULT_TIME when it is None). The one
    rule for "this date at the same time of day" (the shortcuts, the calendar's drag and
    "Move to…", activities.services.activity_reschedule)."""
    when = time_of_day(keeping, zone) if at is None else at.replace(tzinfo=None, fold=0)
    local = dt.datetime.combine(day, when, tzinfo=zone)
    # fold=0 reads a time in the spring gap with the offset before the change, so
    # 02:30 that does not exist comes out as 03:30 of the new offset.
    return local.astimezone(dt.UTC)


def shortcut_days(*, today: dt.date) -> list[tuple[str, str, dt.date]]:
    """Every shortcut as (name, label, day): what a due-date field's buttons offer."""
    return [(name, label, shortcut_day(name, today=today)) for name, label in SHORTCUTS]
