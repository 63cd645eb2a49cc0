"""The stretch of days a calendar page shows: a week (Monday to Sunday) or a month
(the weeks that hold its days), and its bounds as instants in the account's time zone.

Bounds are local midnights computed from dates, never "start + 7 × 24 hours": a week
that holds a DST change lasts 167 or 169 hours, and its last day still ends at
midnight.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

WEEK = "week"
MONTH = "month"
KINDS = [(WEEK, "Week"), (MONTH, "Month")]


def midnight(day: dt.date, zone: dt.tzinfo) -> dt.datetime:
    """The instant `day` begins in `zone` (aware)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone)


def _monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after `day`'s."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str  # WEEK or MONTH
    anchor: dt.date  # the day the page was asked for
    first: dt.date  # the first day shown (a Monday)
    last: dt.date  # the last day shown (a Sunday)
    zone: dt.tzinfo

    @classmethod
    def of(cls, kind: str, anchor: dt.date, zone: dt.tzinfo) -> "Period":
        if kind == MONTH:
            first_of_month = anchor.replace(day=1)
            days_in_month = calendar.monthrange(anchor.year, anchor.month)[1]
            last_of_month = anchor.replace(day=days_in_month)
            first = _monday_of(first_of_month)
            last = _monday_of(last_of_month) + dt.timedelta(days=6)
        else:
            first = _monday_of(anchor)
            last = first + dt.timedelta(days=6)
        return cls(kind=kind, anchor=anchor, first=first, last=last, zone=zone)

    @property
    def start(self) -> dt.datetime:
        """The first instant shown (midnight of the first day, local)."""
        return midnight(self.first, self.zone)

    @property
    def end(self) -> dt.datetime:
        """The instant after the last day shown (the next local midnight)."""
        return midnight(self.last + dt.timedelta(days=1), self.zone)

    @property
    def days(self) -> list[dt.date]:
        count = (self.last - self.first).days + 1
        return [self.first + dt.timedelta(days=n) for n in range(count)]

    @property
    def weeks(self) -> list[list[dt.date]]:
        days = self.days
        return [days[i : i + 7] for i in range(0, len(days), 7)]

    @property
    def previous(self) -> dt.date:
        if self.kind == MONTH:
            return _add_months(self.anchor, -1)
        return self.anchor - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        if self.kind == MONTH:
            return _add_months(self.anchor, 1)
        return self.anchor + dt.timedelta(days=7)

    @property
    def title(self) -> str:
        if self.kind == MONTH:
            return f"{self.anchor:%B %Y}"
        if self.first.year != self.last.year:
            return f"{self.first:%-d %b %Y} – {self.last:%-d %b %Y}"
        if self.first.month != self.last.month:
            return f"{self.first:%-d %b} – {self.last:%-d %b %Y}"
        return f"{self.first.day}–{self.last:%-d %B %Y}"

    def shows_month_of(self, day: dt.date) -> bool:
        """Whether `day` belongs to the month in view (a month grid also shows the
        edges of the months around it)."""
        return self.kind != MONTH or (day.year, day.month) == (self.anchor.year, self.anchor.month)
