"""`{{ value|moment:"M j, Y, H:i" }}`: the `date` filter for a stored timestamp.

Django's `date` filter converts to the active time zone first and fails on a value that
zone cannot show (0001-01-01T00:00Z in New York). This one shows such a value in UTC
instead, so one old row cannot break a page (see lib/calendar_range.py).
"""

import datetime as dt

from django import template
from django.template.defaultfilters import date
from django.utils import timezone

from web.formatting import local_time

register = template.Library()


@register.filter(expects_localtime=False)
def moment(value, arg=None):
    """The `date` filter, in the active zone when it can show `value`, else in UTC."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = local_time(value, timezone.get_current_timezone())
    return date(value, arg)
