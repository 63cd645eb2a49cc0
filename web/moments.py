"""Moments as the UI words them, in the account's time zone: "in 3 hours",
"Wed 25 Nov, 14:00". Shared by the agenda, the dashboard, the notes list and the
activity rows of any page."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from web.formatting import local_time


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
