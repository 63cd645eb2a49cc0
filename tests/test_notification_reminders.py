"""`reminder`: the job notifies an activity's owner at due_at − remind_before_minutes,
once per due time, again when due_at moves, catching up after downtime."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from activities.services import activity_complete, activity_create, activity_update
from events.models import Source
from notifications.models import Notification, NotificationPreferences
from notifications.reminders import reminders_send_due
from notifications.tasks import deliver_notifications
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def task(actor, *, due_in, remind=15, owner=None, base=NOW, **data):
    return activity_create(
        account=actor.account,
        by=actor.user,
        source=Source.API,
        data={
            "subject": "Call Ann",
            "due_at": base + due_in,
            "remind_before_minutes": remind,
            "owner": owner or actor.user,
            **data,
        },
    )


def reminders(actor):
    return list(
        Notification.objects.for_account(actor.account)
        .filter(user=actor.user, kind="reminder")
        .order_by("id")
    )


def test_a_reminder_comes_when_its_time_is_reached_and_only_once(owner):
    activity = task(owner, due_in=dt.timedelta(minutes=20))
    assert reminders_send_due(now=NOW) == 0
    assert reminders_send_due(now=NOW + dt.timedelta(minutes=5)) == 1
    assert reminders_send_due(now=NOW + dt.timedelta(minutes=6)) == 0
    (reminder,) = reminders(owner)
    assert (reminder.record_type, reminder.record_id) == ("activity", activity.pk)
    assert reminder.title == "Call Ann" and reminder.actor is None
    assert reminder.due_at == activity.due_at


def test_sending_a_reminder_changes_nothing_a_client_sees(owner):
    activity = task(owner, due_in=dt.timedelta(minutes=10))
    before = owner.client.get(f"/api/v1/crm/activities/{activity.pk}/")
    reminders_send_due(now=NOW)
    after = owner.client.get(f"/api/v1/crm/activities/{activity.pk}/")
    assert after.json() == before.json() and after["ETag"] == before["ETag"]
    assert after.json()["remind_before_minutes"] == 15


def test_moving_due_at_later_reminds_again(owner):
    activity = task(owner, due_in=dt.timedelta(minutes=10))
    reminders_send_due(now=NOW)
    activity_update(
        activity=activity,
        by=owner.user,
        source=Source.API,
        data={"due_at": NOW + dt.timedelta(hours=2)},
    )
    assert reminders_send_due(now=NOW + dt.timedelta(minutes=30)) == 0
    assert reminders_send_due(now=NOW + dt.timedelta(hours=2)) == 1
    assert [r.due_at for r in reminders(owner)] == [
        NOW + dt.timedelta(minutes=10),
        NOW + dt.timedelta(hours=2),
    ]


def test_changing_only_the_lead_time_does_not_remind_twice_for_one_due_time(owner):
    activity = task(owner, due_in=dt.timedelta(minutes=10))
    reminders_send_due(now=NOW)
    activity_update(
        activity=activity, by=owner.user, source=Source.API, data={"remind_before_minutes": 30}
    )
    reminders_send_due(now=NOW + dt.timedelta(minutes=1))
    assert len(reminders(owner)) == 1


@pytest.mark.parametrize(
    "data",
    [{"remind_before_minutes": None}, {"due_at": None}, {"owner": None}],
    ids=["no reminder", "no due date", "no owner"],
)
def test_nothing_is_reminded_without_a_reminder_due_date_or_owner(owner, data):
    activity = task(owner, due_in=dt.timedelta(minutes=10))
    activity_update(activity=activity, by=owner.user, source=Source.API, data=data)
    assert reminders_send_due(now=NOW + dt.timedelta(hours=1)) == 0


def test_a_done_activity_is_not_reminded(owner):
    activity = task(owner, due_in=dt.timedelta(minutes=10))
    activity_complete(activity=activity, by=owner.user, source=Source.API)
    assert reminders_send_due(now=NOW) == 0


def test_the_owner_is_reminded_whoever_created_it(owner, teammate):
    task(owner, due_in=dt.timedelta(minutes=10), owner=teammate.user)
    reminders_send_due(now=NOW)
    assert len(reminders(teammate)) == 1 and reminders(owner) == []


def test_it_catches_up_on_what_came_due_while_it_did_not_run(owner):
    task(owner, due_in=dt.timedelta(minutes=10), subject="Earlier")
    task(owner, due_in=dt.timedelta(hours=3), subject="Later")
    # The worker was down for five hours.
    assert reminders_send_due(now=NOW + dt.timedelta(hours=5)) == 2
    assert sorted(r.title for r in reminders(owner)) == ["Earlier", "Later"]


def test_a_reminder_more_than_a_day_overdue_is_dropped_not_sent(owner):
    task(owner, due_in=dt.timedelta(minutes=10), subject="Stale")
    assert reminders_send_due(now=NOW + dt.timedelta(days=2)) == 0
    assert reminders(owner) == []
    assert reminders_send_due(now=NOW + dt.timedelta(days=3)) == 0  # disarmed


def test_a_reminder_already_due_when_created_comes_at_the_next_run(owner):
    task(owner, due_in=dt.timedelta(minutes=5), remind=60)
    assert reminders_send_due(now=NOW) == 1


def test_the_job_costs_the_same_queries_for_more_reminders(owner, teammate, outsider):
    task(owner, due_in=dt.timedelta(minutes=10))
    task(outsider, due_in=dt.timedelta(minutes=10))
    with capture_queries() as small:
        reminders_send_due(now=NOW)
    for actor in (owner, outsider):
        for _ in range(5):
            task(
                actor,
                due_in=dt.timedelta(minutes=10),
                owner=teammate.user if actor is owner else None,
            )
    with capture_queries() as large:
        reminders_send_due(now=NOW)
    assert_same_count(small, large)


def test_the_recurring_job_reminds_and_mails_the_owner(owner, settings):
    owner.user.email = "olivia@example.com"
    owner.user.save(update_fields=["email"])
    task(owner, due_in=dt.timedelta(minutes=-1), remind=0, base=timezone.now())
    deliver_notifications()
    assert len(reminders(owner)) == 1
    (message,) = mail.outbox
    assert message.to == ["olivia@example.com"]
    assert "Reminder: Call Ann" in message.subject
    assert "/notifications/" in message.body


def test_no_mail_when_the_owner_turned_email_off(owner):
    NotificationPreferences.objects.create(user=owner.user, email_enabled=False)
    task(owner, due_in=dt.timedelta(minutes=-1), remind=0, base=timezone.now())
    deliver_notifications()
    assert len(reminders(owner)) == 1
    assert mail.outbox == []
    deliver_notifications()  # skipped, not retried
    assert mail.outbox == []


def test_an_assignment_is_mailed_once_after_commit(owner, teammate):
    teammate.user.email = "tom@example.com"
    teammate.user.save(update_fields=["email"])
    owner.client.post(
        "/api/v1/crm/contacts/",
        {"first_name": "Ann", "owner": teammate.user.pk},
        format="json",
    )
    assert mail.outbox == []  # the outbox is drained by the worker
    deliver_notifications()
    deliver_notifications()
    (message,) = mail.outbox
    assert message.to == ["tom@example.com"]
    assert "assigned you: Ann" in message.subject


def test_the_job_uses_real_time_by_default(owner):
    activity = activity_create(
        account=owner.account,
        by=owner.user,
        source=Source.API,
        data={
            "subject": "Now",
            "due_at": timezone.now(),
            "remind_before_minutes": 0,
            "owner": owner.user,
        },
    )
    assert reminders_send_due() == 1
    assert reminders(owner)[0].record_id == activity.pk
