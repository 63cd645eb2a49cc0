"""The notifications in the web app: the bell, the list, marking read, preferences,
and the reminder field of the timeline's task form."""

import pytest
from django.test import Client
from django.utils import timezone

from activities.models import Activity
from notifications.models import Notification, NotificationPreferences
from tests.factories import ContactFactory
from tests.notification_data import notification_for
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(owner):
    client = Client()
    client.force_login(owner.user)
    return client


def test_every_page_has_the_bell_which_asks_for_the_count_at_once(browser):
    html = browser.get("/").content.decode()
    assert 'id="bell"' in html and 'hx-trigger="load, every 30s, focus from:window"' in html
    assert 'id="bell-status"' in html and 'role="status"' in html


def test_the_bell_shows_my_unread_count(browser, owner, teammate):
    notification_for(owner)
    notification_for(owner)
    notification_for(owner, read_at=timezone.now())
    notification_for(teammate)
    response = browser.get("/notifications/bell/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Notifications, 2 unread" in html and "?seen=2" in html
    assert 'hx-trigger="every 30s, focus from:window"' in html
    assert "hx-swap-oob" not in html  # the first count is shown, not announced


def test_the_bell_answers_nothing_while_the_count_is_unchanged(browser, owner):
    notification_for(owner)
    assert browser.get("/notifications/bell/?seen=1").status_code == 204


def test_the_bell_announces_a_new_notification_politely(browser, owner):
    notification_for(owner)
    notification_for(owner)
    html = browser.get("/notifications/bell/?seen=1").content.decode()
    assert 'id="bell-status" hx-swap-oob="innerHTML"' in html
    assert "2 unread notifications" in html


def test_the_bell_does_not_announce_fewer(browser, owner):
    html = browser.get("/notifications/bell/?seen=3").content.decode()
    assert "hx-swap-oob" not in html and "?seen=0" in html


def test_the_list_shows_mine_newest_first_and_links_to_the_record(browser, owner, teammate):
    contact = ContactFactory(account=owner.account)
    notification_for(owner, title="First", record_id=contact.pk, actor=teammate.user)
    notification_for(owner, title="Second", kind="reminder", record_type="activity")
    notification_for(teammate, title="Not mine")
    html = browser.get("/notifications/").content.decode()
    assert html.index("Second") < html.index("First")
    assert "Not mine" not in html
    assert f'href="/contacts/{contact.pk}/"' in html
    assert "Mark all read" in html


def test_mark_read_and_mark_all_read(browser, owner, teammate):
    one = notification_for(owner)
    notification_for(owner)
    theirs = notification_for(teammate)
    response = browser.post(f"/notifications/{one.pk}/read/", {"next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    one.refresh_from_db()
    assert one.read_at is not None
    browser.post("/notifications/read-all/", {"next": "https://evil.example/"})
    mine = Notification.objects.for_account(owner.account).filter(user=owner.user)
    assert not mine.unread().exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert browser.post(f"/notifications/{theirs.pk}/read/").status_code == 404


def test_the_list_costs_the_same_queries_for_more_rows(browser, owner):
    notification_for(owner)
    with capture_queries() as small:
        browser.get("/notifications/")
    for _ in range(10):
        notification_for(owner, record_type="deal")
    with capture_queries() as large:
        browser.get("/notifications/")
    assert_same_count(small, large)


def test_preferences_are_saved_and_validated(browser, owner):
    page = browser.get("/profile/notifications/")
    assert page.status_code == 200 and "Email me each notification" in page.content.decode()
    response = browser.post("/profile/notifications/", {"default_remind_before_minutes": "15"})
    assert response.status_code == 302
    preferences = NotificationPreferences.objects.get(user=owner.user)
    assert preferences.default_remind_before_minutes == 15
    assert preferences.email_enabled is False  # an unticked box
    bad = browser.post("/profile/notifications/", {"default_remind_before_minutes": "99999"})
    assert bad.status_code == 200 and "field__error" in bad.content.decode()


def test_the_task_form_starts_with_my_default_reminder_and_saves_it(browser, owner):
    NotificationPreferences.objects.create(user=owner.user, default_remind_before_minutes=30)
    contact = ContactFactory(account=owner.account)
    form = browser.get(f"/timeline/contact/{contact.pk}/log/?kind=task").content.decode()
    assert 'name="log-task-remind_before_minutes"' in form and 'value="30"' in form
    browser.post(
        f"/timeline/contact/{contact.pk}/log/",
        {
            "kind": "task",
            "log-task-subject": "Call back",
            "log-task-due_at": "2030-01-02T10:00",
            "log-task-remind_before_minutes": "45",
            "log-task-owner": owner.user.pk,
        },
    )
    activity = Activity.objects.for_account(owner.account).get(subject="Call back")
    assert activity.remind_before_minutes == 45
    assert activity.remind_at == Activity.reminder_time(activity.due_at, 45)


def test_the_task_form_refuses_a_reminder_out_of_range(browser, owner):
    contact = ContactFactory(account=owner.account)
    response = browser.post(
        f"/timeline/contact/{contact.pk}/log/",
        {"kind": "task", "log-task-subject": "X", "log-task-remind_before_minutes": "-1"},
    )
    assert response.status_code < 500
    assert not Activity.objects.for_account(owner.account).exists()
