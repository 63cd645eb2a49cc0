"""The dates and times the CRM stores: years 2 to 9998.

Python's datetimes run from year 1 to 9999, and a stored instant is shown in the
account's time zone (UTC-12 to UTC+14, and older local-mean-time offsets up to about
±16 hours): 0001-01-01T00:00Z is the year 0 in New York, 9999-12-31T23:59Z the year
10000 in Tokyo, and neither exists. A year of margin at each end keeps every local
representation, and the day, week and month arithmetic the pages do around it, inside
Python's calendar. It also keeps real due dates before activities.models.SOMEDAY
(9999-12-31), the sort key of undated activities.

Every face that writes a date (the API's fields, the web forms, the admin through the
models' validators) refuses a value outside this range; pages still render one stored
before the rule existed (web/formatting.py `local_time`).
"""

import datetime as dt

from django.core.exceptions import ValidationError

FIRST_YEAR = 2
LAST_YEAR = 9998
EARLIEST_DATE = dt.date(FIRST_YEAR, 1, 1)
LATEST_DATE = dt.date(LAST_YEAR, 12, 31)
MESSAGE = f"Enter a date between the years {FIRST_YEAR} and {LAST_YEAR}."


def validate_calendar_range(value) -> None:
    """Refuse a date, or an aware datetime (its UTC date), outside years 2-9998."""
    if value is None:
        return
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            try:
                value = value.astimezone(dt.UTC)
            except OverflowError:
                raise ValidationError(MESSAGE, code="calendar_range") from None
        value = value.date()
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(MESSAGE, code="calendar_range")
