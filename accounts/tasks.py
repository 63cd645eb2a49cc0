"""Background work of the accounts app (django-tasks; `manage.py db_worker` runs it)."""

from datetime import timedelta

from accounts.idempotency import idempotency_keys_purge
from schedules.recurring import recurring


@recurring(name="accounts.purge_idempotency_keys", every=timedelta(hours=1))
def purge_idempotency_keys() -> str:
    """Hourly: keys answer a repeated request for 24 hours, then they go."""
    return f"deleted {idempotency_keys_purge()} idempotency keys"
