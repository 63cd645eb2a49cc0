"""Background work of notifications (django-tasks; `manage.py db_worker` runs it)."""

from datetime import timedelta

from notifications.emails import notification_emails_send
from notifications.reminders import reminders_send_due
from schedules.recurring import recurring


# Every 30 seconds, so a reminder arrives within a minute of its time (the contract's
# 60 seconds, with the worker's polling); a run stuck for 5 minutes is taken for dead.
@recurring(
    name="notifications.deliver", every=timedelta(seconds=30), stale_after=timedelta(minutes=5)
)
def deliver_notifications() -> str:
    """Send the reminders that came due, then mail what is waiting in the outbox."""
    reminded = reminders_send_due()
    mailed = notification_emails_send()
    return f"{reminded} reminders, {mailed} emails"
