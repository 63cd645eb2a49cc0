"""Building notifications for tests: straight rows, for the tests of reading them (the
tests of what creates them go through the services)."""

from notifications.models import Notification


def notification_for(recipient, **fields) -> Notification:
    """An unread `assigned` notification of `recipient`'s user in their account."""
    values = {
        "kind": Notification.Kind.ASSIGNED,
        "record_type": "contact",
        "record_id": 1,
        "title": "Ann Lee",
    }
    return Notification.objects.create(
        account=recipient.account, user=recipient.user, **(values | fields)
    )
