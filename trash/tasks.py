"""Background work of the trash (django-tasks; `manage.py db_worker` runs it)."""

from datetime import timedelta

from schedules.recurring import recurring
from trash.services import trash_purge_expired


@recurring(name="trash.purge_expired", every=timedelta(days=1))
def purge_expired_trash() -> str:
    """Daily: what was deleted more than 30 days ago leaves the trash for good (a day's
    worth per run, in batches of short transactions)."""
    return f"purged {trash_purge_expired()} trashed records"
