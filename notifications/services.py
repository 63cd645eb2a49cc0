"""Writes of a user's notifications and preferences (reading them is the only other
thing anyone does). Notifications are created by the events hook
(notifications.assignments) and the reminder job (notifications.reminders)."""

from django.utils import timezone

from notifications.models import Notification, NotificationPreferences


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read; one already read keeps its first `read_at`. One
    conditional update."""
    if notification.read_at is None:
        now = timezone.now()
        marked = (
            Notification.objects.for_account(notification.account_id)
            .filter(pk=notification.pk, read_at__isnull=True)
            .update(read_at=now)
        )
        if marked:
            notification.read_at = now
        else:  # read meanwhile, elsewhere: keep that time
            notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, account, user) -> int:
    """Mark every unread notification of `user` in `account` read; how many. One
    update."""
    return (
        Notification.objects.for_account(account)
        .filter(user=user)
        .unread()
        .update(read_at=timezone.now())
    )


def notification_preferences_save(
    *, user, default_remind_before_minutes: int | None, email_enabled: bool
) -> NotificationPreferences:
    """Store the user's preferences (created on first save)."""
    preferences, _created = NotificationPreferences.objects.update_or_create(
        user=user,
        defaults={
            "default_remind_before_minutes": default_remind_before_minutes,
            "email_enabled": email_enabled,
        },
    )
    return preferences
