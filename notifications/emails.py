"""Mail for notifications, sent from an outbox after commit.

A notification is created with `email_pending` set, in the transaction of the change
that caused it, so a change that rolls back mails nothing and one that commits is
mailed even if the process dies right after. The notifications job drains the outbox
(every 30 seconds, `notifications.tasks`) through Django's email backend (the console
under `make run`, SMTP in production: settings `EMAIL_*`). Users who turned email off,
or have no address, are skipped. A message the backend refuses stays pending and is
tried again at the next run; delivery is at least once.
"""

import datetime as dt
import logging
import zoneinfo
from itertools import groupby
from operator import itemgetter

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import Notification, NotificationPreferences

logger = logging.getLogger(__name__)
BATCH = 200


def local_text(moment: dt.datetime, zone_name: str) -> str:
    """`moment` on the account's wall clock, with the zone's name: "Wed 25 Nov 2026,
    14:00 (Europe/Paris)"; in UTC when that zone's clock would leave Python's calendar."""
    try:
        local = timezone.localtime(moment, zoneinfo.ZoneInfo(zone_name))
    except OverflowError:
        local, zone_name = moment.astimezone(dt.UTC), "UTC"
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({zone_name})"


def notification_message(notification: Notification) -> EmailMessage:
    """The mail telling the notification's user about it, its times in the account's
    time zone (the notification's `account` is read: select it with the batch)."""
    due = notification.due_at
    context = {
        "notification": notification,
        "due_text": local_text(due, notification.account.time_zone) if due else "",
        "url": settings.SITE_URL.rstrip("/") + "/notifications/",
    }
    subject = render_to_string("notifications/email_subject.txt", context).strip()
    body = render_to_string("notifications/email_body.txt", context)
    return EmailMessage(subject=subject, body=body, to=[notification.user.email])


def notification_emails_send(*, batch_size: int = BATCH) -> int:
    """Mail a batch of pending notifications (the oldest) to the users who want mail;
    how many were sent. One query finds the batch, then four per account in it lock,
    read and mark that account's share (two workers take different rows: SKIP LOCKED).
    Locked an account at a time: on Citus a row lock must stay on one shard."""
    due = Notification.objects.dangerously_unscoped().email_pending().order_by("id")
    rows = sorted(due.values_list("account_id", "pk")[:batch_size])
    return sum(
        _send_pending(account_id, [pk for _account, pk in group])
        for account_id, group in groupby(rows, key=itemgetter(0))
    )


@transaction.atomic
def _send_pending(account_id: int, ids: list[int]) -> int:
    """One account's share: lock those still pending (a row another worker holds is
    left to it), mail them, mark them sent. How many were mailed."""
    pending = list(
        Notification.objects.for_account(account_id)
        .filter(pk__in=ids)
        .email_pending()
        .select_related("user", "actor", "account")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("id")
    )
    if not pending:
        return 0
    muted = set(
        NotificationPreferences.objects.filter(
            user__in={n.user_id for n in pending}, email_enabled=False
        ).values_list("user_id", flat=True)
    )
    done, sent = [], 0
    connection = get_connection()
    for notification in pending:
        if notification.user_id in muted or not notification.user.email:
            done.append(notification.pk)
            continue
        try:
            connection.send_messages([notification_message(notification)])
        except Exception:  # the backend's failure is the outbox's to retry
            logger.exception("Mailing notification %s failed; retried later.", notification.pk)
            continue
        done.append(notification.pk)
        sent += 1
    Notification.objects.for_account(account_id).filter(pk__in=done).update(email_pending=False)
    return sent
