"""How the UI writes amounts of money and moments: one way, on every page."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone


def format_money(cents: int, currency: str, *, whole: bool = False) -> str:
    """`1234550, "USD"` → "12,345.50 USD"; whole amounts drop the cents ("12,300 USD"),
    and `whole=True` rounds to units for totals and charts. Never mixes currencies:
    callers format each currency's sum on its own."""
    amount = Decimal(int(cents)) / 100
    if whole:
        return f"{amount.quantize(Decimal(1), rounding=ROUND_HALF_UP):,} {currency}"
    text = f"{amount:,.2f}"
    return f"{text.removesuffix('.00')} {currency}"


def local_time(value: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """`value` in the account's `zone`; in UTC when that zone's clock would leave
    Python's calendar (0001-01-01T00:00Z in New York). The API and the forms refuse
    such values (lib/calendar_range.py), but a row stored before may hold one."""
    try:
        return timezone.localtime(value, zone)
    except OverflowError:
        return value.astimezone(dt.UTC)


def format_duration(span: dt.timedelta) -> str:
    """A time span in its two largest units that are not zero: "3 days 4 hours",
    "2 days 30 minutes", "less than a minute"."""
    minutes = max(int(span.total_seconds() // 60), 0)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    words = [f"{n} {unit}{'' if n == 1 else 's'}" for n, unit in parts if n]
    return " ".join(words[:2]) or "less than a minute"
