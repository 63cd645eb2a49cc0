"""How long events are kept, and the purge that enforces it."""

from datetime import timedelta

from django.utils import timezone

from accounts.models import Account
from events.models import Event

RETENTION = timedelta(days=90)
PURGE_BATCH = 5_000


def events_purge_expired(
    *, now=None, retention: timedelta = RETENTION, batch_size: int = PURGE_BATCH
) -> int:
    """Delete every account's events older than `retention`; returns how many.

    Account by account, so each batch is found on the index `event_age` (account, at),
    and in batches of `batch_size` ids, each deleted in its own short transaction:
    memory stays bounded and writers are never held up by one long delete. Two queries
    per batch, plus one per 2,000 accounts.
    """
    cutoff = (now or timezone.now()) - retention
    deleted = 0
    for account_id in (
        Account.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=2_000)
    ):
        expired = Event.objects.for_account(account_id).older_than(cutoff)
        while batch := list(expired.order_by("at").values_list("pk", flat=True)[:batch_size]):
            # Event has no reverse relations or signals: Django deletes in one query.
            count, _ = Event.objects.for_account(account_id).filter(pk__in=batch).delete()
            deleted += count
            if len(batch) < batch_size:
                break
    return deleted
