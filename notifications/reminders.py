"""`reminder` notifications: an activity's owner is reminded `remind_before_minutes`
before its `due_at`.

The activities' services arm a reminder by setting `Activity.remind_at` (due_at minus
the lead time) whenever either changes; this job finds the armed reminders whose time
has come, notifies each owner and disarms them (`remind_at` back to null), in one
transaction per account. So:
- sent once: the rows are locked (`FOR UPDATE SKIP LOCKED`) and disarmed in the same
  transaction as the notification is inserted, and the unique constraint
  `notification_reminder_once` (account, activity, due_at) refuses a second one should
  two workers ever meet anyway;
- again when due_at moves: the service re-arms the reminder for the new due time (a
  change of the lead time alone re-arms it too, but the constraint keeps one per due
  time);
- caught up after downtime: whatever came due while no worker ran is sent at the next
  run, except for activities already due more than `CATCH_UP` ago: they are disarmed
  silently. The agenda shows them as overdue, and a burst of stale reminders after a
  long outage would bury the ones that still matter;
- constant cost: the scan reads the partial index `activity_reminder_armed`, which
  holds only armed reminders (not the account's activities), in batches of `BATCH`.
"""

from datetime import timedelta
from itertools import groupby

from django.db import transaction
from django.utils import timezone

from activities.models import Activity
from notifications.models import Notification, NotificationPreferences

CATCH_UP = timedelta(days=1)
BATCH = 500


def reminders_send_due(*, now=None, batch_size: int = BATCH) -> int:
    """Notify the owners of every activity whose reminder time is `now` or earlier;
    how many reminders were sent. A few queries per account with reminders due."""
    now = now or timezone.now()
    sent = 0
    while True:
        due = (
            Activity.objects.dangerously_unscoped()
            .reminder_due(now)
            .order_by("account_id", "remind_at")
            .values_list("account_id", "pk")[:batch_size]
        )
        rows = list(due)
        if not rows:
            return sent
        for account_id, group in groupby(rows, key=lambda row: row[0]):
            sent += _remind(account_id, [pk for _account, pk in group], now=now)
        if len(rows) < batch_size:
            return sent


@transaction.atomic
def _remind(account_id: int, ids: list[int], *, now) -> int:
    """One account's share: lock the activities still due (a row another transaction
    holds is left for the next run), notify, disarm. How many were notified."""
    activities = list(
        Activity.objects.for_account(account_id)
        .filter(pk__in=ids)
        .reminder_due(now)
        .select_for_update(skip_locked=True)
        .only("pk", "account_id", "subject", "owner_id", "due_at")
    )
    if not activities:
        return 0
    fresh = [a for a in activities if a.due_at >= now - CATCH_UP]
    Notification.objects.for_account(account_id).bulk_create(
        [
            Notification(
                account_id=account_id,
                user_id=activity.owner_id,
                kind=Notification.Kind.REMINDER,
                record_type="activity",
                record_id=activity.pk,
                title=activity.subject,
                due_at=activity.due_at,
                created_at=now,
            )
            for activity in fresh
        ],
        ignore_conflicts=True,  # this due time was reminded already
    )
    # Bookkeeping, not a change of the record: no event, `updated_at` kept.
    Activity.objects.for_account(account_id).filter(pk__in=[a.pk for a in activities]).update(
        remind_at=None
    )
    return len(fresh)


def default_reminder(*, user) -> dict:
    """A new activity's reminder when its creator sets none: their preference
    (activities.new_activity_defaults). One query."""
    preferences = NotificationPreferences.for_user(user)
    return {"remind_before_minutes": preferences.default_remind_before_minutes}
