"""Background work of the event log (django-tasks; `manage.py db_worker` runs it)."""

from datetime import timedelta

from events.retention import events_purge_expired
from schedules.recurring import recurring


@recurring(name="events.purge_expired", every=timedelta(hours=1))
def purge_expired_events() -> str:
    """Hourly: keeps each run's share of the purge small (about an hour of events)."""
    return f"deleted {events_purge_expired()} events"
