"""Two reminder jobs at the same instant (PostgreSQL, real threads, a barrier, ten
rounds): each due reminder is sent once; and a job meeting an edit of the activity's
due date sends for the due date it locked, never loses the new one."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection

from activities.services import activity_create, activity_update
from events.models import Source
from notifications.emails import notification_emails_send
from notifications.models import Notification
from notifications.reminders import reminders_send_due
from tests.races import ROUNDS, together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def due_activity(actor, subject):
    return activity_create(
        account=actor.account,
        by=actor.user,
        source=Source.API,
        data={
            "subject": subject,
            "due_at": NOW + dt.timedelta(minutes=5),
            "remind_before_minutes": 10,
            "owner": actor.user,
        },
    )


def test_two_jobs_send_each_reminder_once(owner):
    for round_ in range(ROUNDS):
        activities = [due_activity(owner, f"Round {round_} #{i}") for i in range(3)]
        sent = together(lambda: reminders_send_due(now=NOW), lambda: reminders_send_due(now=NOW))
        assert all(isinstance(n, int) for n in sent), sent
        assert sum(sent) == 3, sent
        for activity in activities:
            count = (
                Notification.objects.for_account(owner.account)
                .filter(kind="reminder", record_id=activity.pk)
                .count()
            )
            assert count == 1, (round_, activity.pk)


def test_two_mail_drains_send_each_mail_once(owner, teammate):
    teammate.user.email = "tom@example.com"
    teammate.user.save(update_fields=["email"])
    for round_ in range(ROUNDS):
        mail.outbox = []
        for i in range(4):
            owner.client.post(
                "/api/v1/crm/contacts/",
                {"first_name": f"R{round_}n{i}", "owner": teammate.user.pk},
                format="json",
            )
        sent = together(notification_emails_send, notification_emails_send)
        assert all(isinstance(n, int) for n in sent), sent
        assert sum(sent) == 4 and len(mail.outbox) == 4, (round_, sent)


def test_a_job_meeting_a_move_of_due_at_loses_neither_reminder(owner):
    for round_ in range(ROUNDS):
        activity = due_activity(owner, f"Moved {round_}")
        later = NOW + dt.timedelta(hours=3)
        together(
            lambda: reminders_send_due(now=NOW),
            lambda a=activity, later=later: activity_update(
                activity=a, by=owner.user, source=Source.API, data={"due_at": later}
            ),
        )
        reminders_send_due(now=NOW)
        reminders_send_due(now=later)
        due_times = set(
            Notification.objects.for_account(owner.account)
            .filter(kind="reminder", record_id=activity.pk)
            .values_list("due_at", flat=True)
        )
        # Reminded for the new due time always; for the old one only if the job won.
        assert later in due_times and due_times <= {later, NOW + dt.timedelta(minutes=5)}
