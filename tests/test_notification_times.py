"""Notifications show their times in the account's time zone: the list (reminders'
due times, when each arrived) and the emails. The bell shows a count and no time."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client

from notifications.emails import notification_emails_send, notification_message
from notifications.models import Notification
from tests.factories import ActivityFactory
from tests.notification_data import notification_for
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db

# 14:00 UTC is 15:00 in Paris (CET) and 09:00 in New York (EST).
DUE = dt.datetime(2026, 11, 25, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def paris(owner):
    owner.account.time_zone = "Europe/Paris"
    owner.account.save(update_fields=["time_zone"])
    return owner.account


@pytest.fixture
def browser(owner):
    client = Client()
    client.force_login(owner.user)
    return client


def reminder_of(owner, **fields) -> Notification:
    activity = ActivityFactory(account=owner.account, owner=owner.user, due_at=DUE)
    values = {"kind": "reminder", "record_type": "activity", "record_id": activity.pk}
    return notification_for(owner, title="Call Ann", due_at=DUE, **(values | fields))


def test_the_list_shows_a_reminders_due_time_in_the_accounts_zone(browser, owner, paris):
    reminder_of(owner, created_at=DUE - dt.timedelta(minutes=30))
    html = browser.get("/notifications/").content.decode()
    assert "is due <time datetime=" in html
    assert "Wed 25 Nov, 15:00" in html  # Paris
    shown = re.sub(r'datetime="[^"]*"', "", html)  # machine-readable: ISO with offset
    assert "14:00" not in shown  # no UTC wall-clock time shown
    assert 'title="Wed 25 Nov, 14:30"' in html  # when it arrived, Paris time too
    assert "Times in Europe/Paris." in html


def test_another_zone_shows_another_wall_clock(browser, owner):
    owner.account.time_zone = "America/New_York"
    owner.account.save(update_fields=["time_zone"])
    reminder_of(owner)
    html = browser.get("/notifications/").content.decode()
    assert "Wed 25 Nov, 09:00" in html


def test_a_reminder_links_to_the_activitys_page(browser, owner):
    reminder = reminder_of(owner)
    html = browser.get("/notifications/").content.decode()
    assert f'href="/activities/{reminder.record_id}/"' in html


def test_the_list_costs_the_same_queries_with_times_for_more_rows(browser, owner, paris):
    reminder_of(owner)
    with capture_queries() as small:
        browser.get("/notifications/")
    for _ in range(6):
        reminder_of(owner)
    with capture_queries() as large:
        browser.get("/notifications/")
    assert_same_count(small, large)


def test_the_bell_shows_no_time_at_all(browser, owner, paris):
    reminder_of(owner)
    html = browser.get("/notifications/bell/", HTTP_HX_REQUEST="true").content.decode()
    assert "<time" not in html and ":00" not in html


def test_a_reminder_email_gives_the_due_time_in_the_accounts_zone(owner, paris):
    reminder = reminder_of(owner)
    body = notification_message(reminder).body
    assert "due Wed 25 Nov 2026, 15:00 (Europe/Paris)." in body
    assert "UTC" not in body and "14:00" not in body


def test_the_outbox_mails_local_times_in_constant_queries(owner, teammate, paris, settings):
    owner.user.email = "olivia@example.com"
    owner.user.save(update_fields=["email"])
    reminder_of(owner)
    with capture_queries() as small:
        assert notification_emails_send() == 1
    for _ in range(5):
        reminder_of(owner)
    with capture_queries() as large:
        assert notification_emails_send() == 5
    assert_same_count(small, large)
    assert all("15:00 (Europe/Paris)" in message.body for message in mail.outbox)


def test_an_assignment_email_has_no_time_to_convert(owner, paris):
    notification = notification_for(owner, title="Ann Lee")
    assert "made you the owner of the contact" in notification_message(notification).body
