"""An activity's own page, "New activity", "Log a call / meeting" with a follow-up,
and rescheduling and reopening from the lists."""

import datetime as dt
import json
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from activities.models import Activity
from events.models import Event
from lib.versions import version_of
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
# Wednesday 25 November 2026, 17:00 in New York.
NOW = dt.datetime(2026, 11, 25, 22, 0, tzinfo=dt.UTC)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def new_york(owner):
    owner.account.time_zone = "America/New_York"
    owner.account.save()
    return owner.account


@pytest.fixture
def frozen_now():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


def activity_of(actor, **kwargs):
    kwargs.setdefault("owner", actor.user)
    return ActivityFactory(account=actor.account, **kwargs)


def local(moment):
    return moment.astimezone(NEW_YORK).replace(tzinfo=None)


# -- the page ------------------------------------------------------------------------


def test_the_page_shows_every_field_to_edit_in_place(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada")
    activity = activity_of(owner, subject="Send the quote", contact=contact, type="meeting")
    html = client_for(owner).get(f"/activities/{activity.pk}/").content.decode()
    assert "Send the quote" in html
    for name in (
        "type",
        "subject",
        "due_at",
        "remind_before_minutes",
        "owner",
        "contact",
        "company",
        "deal",
        "description",
    ):
        assert f'href="/activities/{activity.pk}/fields/{name}/"' in html
    assert 'Edit type: </span><span class="inplace__text">Meeting<' in html


def test_an_edit_saves_through_the_services_and_records_it(owner):
    activity = activity_of(owner, subject="Old")
    client = client_for(owner)
    response = client.post(
        f"/activities/{activity.pk}/",
        {"type": "call", "subject": "New subject", "version": version_of(activity)},
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.subject, activity.type) == ("New subject", "call")
    assert (
        Event.objects.for_account(owner.account)
        .filter(type="activity.updated", record_id=activity.pk)
        .exists()
    )


def test_an_edit_of_a_changed_activity_is_a_409_and_saves_nothing(owner, teammate):
    activity = activity_of(owner, subject="Mine")
    stale = version_of(activity)
    from activities.services import activity_update
    from events.models import Source

    activity_update(
        activity=activity, by=teammate.user, source=Source.UI, data={"subject": "Theirs"}
    )
    response = client_for(owner).post(
        f"/activities/{activity.pk}/",
        {
            "type": "task",
            "subject": "Mine, edited",
            "initial-subject": "Mine",
            "initial-type": "task",
            "version": stale,
        },
    )
    assert response.status_code == 409
    assert "Someone changed this activity" in response.content.decode()
    activity.refresh_from_db()
    assert activity.subject == "Theirs"


def test_another_accounts_contact_is_a_validation_error(owner, outsider):
    activity = activity_of(owner)
    theirs = ContactFactory(account=outsider.account)
    response = client_for(owner).post(
        f"/activities/{activity.pk}/",
        {"type": "task", "subject": "x", "contact": theirs.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    activity.refresh_from_db()
    assert activity.contact_id is None


def test_another_accounts_activity_is_a_404(owner, outsider):
    activity = activity_of(outsider)
    client = client_for(owner)
    assert client.get(f"/activities/{activity.pk}/").status_code == 404
    assert client.post(f"/activities/{activity.pk}/", {"subject": "x"}).status_code == 404


def test_the_page_costs_the_same_queries_whatever_the_account_holds(owner, teammate):
    def run():
        activity = activity_of(owner, contact=ContactFactory(account=owner.account))
        with capture_queries() as captured:
            assert client.get(f"/activities/{activity.pk}/").status_code == 200
        return captured

    client = client_for(owner)
    small = run()
    for _ in range(6):
        activity_of(teammate, contact=ContactFactory(account=owner.account))
    assert_same_count(small, run())


# -- every list links to it ---------------------------------------------------------------


def test_the_agenda_and_the_timeline_link_each_subject_to_its_page(owner):
    contact = ContactFactory(account=owner.account)
    activity = activity_of(owner, subject="Linked", contact=contact)
    client = client_for(owner)
    assert (
        f'href="/activities/{activity.pk}/"' in client.get("/agenda/?tab=upcoming").content.decode()
    )
    assert (
        f'href="/activities/{activity.pk}/"'
        in client.get(f"/contacts/{contact.pk}/").content.decode()
    )


# -- New activity ----------------------------------------------------------------------------


@pytest.mark.parametrize("record_type", ["contact", "company", "deal"])
def test_every_record_page_offers_new_activity_linked_to_it(owner, record_type):
    record = {
        "contact": lambda: ContactFactory(account=owner.account),
        "company": lambda: CompanyFactory(account=owner.account),
        "deal": lambda: DealFactory(pipeline__account=owner.account),
    }[record_type]()
    client = client_for(owner)
    html = client.get(
        f"/{record_type}s/{record.pk}/".replace("companys", "companies")
    ).content.decode()
    assert f"/activities/new/?{record_type}={record.pk}" in html
    assert f"/activities/log/?type=call&amp;{record_type}={record.pk}" in html
    form = client.get(f"/activities/new/?{record_type}={record.pk}&type=sms").content.decode()
    assert f'<option value="{record.pk}" selected' in form
    assert 'value="sms" selected' in form


@pytest.mark.parametrize("page", ["/", "/agenda/"])
def test_the_dashboard_and_the_agenda_offer_new_activity(owner, page):
    html = client_for(owner).get(page).content.decode()
    assert "/activities/new/" in html and "/activities/log/?type=call" in html


@pytest.mark.parametrize("kind", [choice for choice, _label in Activity.Type.choices])
def test_any_of_the_seven_types_can_be_created(owner, kind):
    deal = DealFactory(pipeline__account=owner.account)
    response = client_for(owner).post(
        "/activities/new/", {"type": kind, "subject": f"A {kind}", "deal": deal.pk}
    )
    assert response.status_code == 302
    activity = Activity.objects.for_account(owner.account).get(subject=f"A {kind}")
    assert (activity.type, activity.deal_id, activity.status) == (kind, deal.pk, "pending")
    assert response["Location"] == f"/activities/{activity.pk}/"


def test_a_due_date_is_read_in_the_accounts_time_zone(owner, new_york):
    client_for(owner).post(
        "/activities/new/", {"type": "task", "subject": "Zoned", "due_at": "2026-12-01T09:00"}
    )
    assert local(
        Activity.objects.for_account(owner.account).get(subject="Zoned").due_at
    ) == dt.datetime(2026, 12, 1, 9)


def test_every_due_field_offers_the_shortcuts(owner, new_york, frozen_now):
    contact = ContactFactory(account=owner.account)
    client = client_for(owner)
    for url in ("/activities/new/", "/activities/log/", f"/contacts/{contact.pk}/?log=task"):
        html = client.get(url).content.decode()
        assert 'data-due-day="2026-11-26"' in html, url  # tomorrow, in New York
        assert 'data-due-day="2026-11-30"' in html, url  # next week: Monday


# -- Log a call / meeting -------------------------------------------------------------------


def test_log_a_call_with_a_follow_up_in_one_submit(owner, teammate, new_york, frozen_now):
    contact = ContactFactory(account=owner.account)
    response = client_for(owner).post(
        "/activities/log/",
        {
            "contact": contact.pk,
            "type": "call",
            "subject": "Discovery call",
            "description": "Wants a demo",
            "follow_up": "on",
            "follow_up_type": "meeting",
            "follow_up_subject": "Demo",
            "follow_up_due_at": "2026-11-30T10:00",
            "owner": teammate.user.pk,
            "next": f"/contacts/{contact.pk}/",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/contacts/{contact.pk}/"
    call = Activity.objects.for_account(owner.account).get(subject="Discovery call")
    assert (call.type, call.status, call.contact_id, call.owner_id) == (
        "call",
        "completed",
        contact.pk,
        owner.user.pk,
    )
    assert call.completed_at == NOW
    demo = Activity.objects.for_account(owner.account).get(subject="Demo")
    assert (demo.type, demo.status, demo.contact_id, demo.owner_id) == (
        "meeting",
        "pending",
        contact.pk,
        teammate.user.pk,
    )
    assert local(demo.due_at) == dt.datetime(2026, 11, 30, 10)
    assert list(
        Event.objects.for_account(owner.account)
        .filter(record_type="activity")
        .order_by("id")
        .values_list("type", flat=True)
    ) == ["activity.created", "activity.completed", "activity.created"]


def test_log_a_meeting_without_a_follow_up(owner):
    response = client_for(owner).post("/activities/log/", {"type": "meeting", "subject": "Lunch"})
    assert response.status_code == 302
    assert Activity.objects.for_account(owner.account).get().status == "completed"


def test_a_follow_up_without_a_subject_logs_nothing(owner):
    response = client_for(owner).post(
        "/activities/log/", {"type": "call", "subject": "Call", "follow_up": "on"}
    )
    assert response.status_code == 400
    assert "Name the follow-up." in response.content.decode()
    assert not Activity.objects.for_account(owner.account).exists()


def test_a_failing_follow_up_rolls_the_logged_call_back(owner):
    from activities import services

    create = services.activity_create
    calls = []

    def create_then_fail(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:  # the follow-up
            raise RuntimeError("boom")
        return create(**kwargs)

    with (
        mock.patch("activities.services.activity_create", create_then_fail),
        pytest.raises(RuntimeError),
    ):
        client_for(owner).post(
            "/activities/log/",
            {"type": "call", "subject": "Call", "follow_up": "on", "follow_up_subject": "F"},
        )
    assert len(calls) == 2
    assert not Activity.objects.for_account(owner.account).exists()
    assert not Event.objects.for_account(owner.account).filter(record_type="activity").exists()


def test_logging_about_another_accounts_record_is_a_404(owner, outsider):
    theirs = ContactFactory(account=outsider.account)
    client = client_for(owner)
    assert client.get(f"/activities/log/?contact={theirs.pk}").status_code == 404
    response = client.post(
        "/activities/log/", {"contact": theirs.pk, "type": "call", "subject": "x"}
    )
    assert response.status_code == 404
    assert client.get("/activities/log/?deal=abc").status_code == 404
    assert not Activity.objects.for_account(owner.account).exists()


# -- reschedule and reopen --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "day"),
    [
        ("today", dt.date(2026, 11, 25)),
        ("tomorrow", dt.date(2026, 11, 26)),
        ("in_3_days", dt.date(2026, 11, 28)),
        ("next_week", dt.date(2026, 11, 30)),
    ],
)
def test_reschedule_by_shortcut_keeps_the_time_of_day(owner, new_york, frozen_now, when, day):
    due = dt.datetime(2026, 11, 20, 8, 15, tzinfo=NEW_YORK)
    activity = activity_of(owner, due_at=due)
    response = client_for(owner).post(
        f"/agenda/activities/{activity.pk}/reschedule/", {"when": when}, **HTMX
    )
    assert response.status_code == 200
    activity.refresh_from_db()
    assert local(activity.due_at) == dt.datetime.combine(day, dt.time(8, 15))
    assert json.loads(response["HX-Trigger"])["activity-changed"] == {"id": activity.pk}
    assert f'id="activity-{activity.pk}"' in response.content.decode()  # the row, redrawn


def test_reschedule_to_a_picked_date(owner, new_york):
    activity = activity_of(owner, due_at=dt.datetime(2026, 11, 20, 16, 0, tzinfo=NEW_YORK))
    client_for(owner).post(
        f"/agenda/activities/{activity.pk}/reschedule/", {"when": "date", "day": "2027-01-04"}
    )
    activity.refresh_from_db()
    assert local(activity.due_at) == dt.datetime(2027, 1, 4, 16, 0)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"when": "someday"},
        {"when": "date"},
        {"when": "date", "day": "0001-01-01"},
        {"when": "date", "day": "nonsense"},
    ],
)
def test_a_bad_reschedule_is_a_400_and_changes_nothing(owner, data):
    due = dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)
    activity = activity_of(owner, due_at=due)
    response = client_for(owner).post(f"/agenda/activities/{activity.pk}/reschedule/", data, **HTMX)
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.due_at == due


def test_an_undated_activity_is_rescheduled_at_nine(owner, new_york, frozen_now):
    activity = activity_of(owner)
    client_for(owner).post(f"/agenda/activities/{activity.pk}/reschedule/", {"when": "tomorrow"})
    activity.refresh_from_db()
    assert local(activity.due_at) == dt.datetime(2026, 11, 26, 9, 0)


def test_rescheduling_another_accounts_activity_is_a_404(owner, outsider):
    activity = activity_of(outsider)
    response = client_for(owner).post(
        f"/agenda/activities/{activity.pk}/reschedule/", {"when": "today"}
    )
    assert response.status_code == 404


def test_every_open_row_offers_the_shortcuts_and_a_date(owner):
    activity = activity_of(owner, subject="Row")
    html = client_for(owner).get("/agenda/?tab=upcoming").content.decode()
    for when in ("today", "tomorrow", "in_3_days", "next_week", "date"):
        assert f'name="when" value="{when}"' in html
    assert f"/agenda/activities/{activity.pk}/reschedule/" in html


@pytest.mark.parametrize("status", ["completed", "cancelled"])
def test_a_done_activity_reopens_from_its_row(owner, status):
    activity = activity_of(
        owner, status=status, completed_at=NOW if status == "completed" else None
    )
    client = client_for(owner)
    assert (
        f"/agenda/activities/{activity.pk}/reopen/"
        in client.get("/agenda/?tab=done").content.decode()
    )
    response = client.post(f"/agenda/activities/{activity.pk}/reopen/", **HTMX)
    assert response.status_code == 200
    activity.refresh_from_db()
    assert (activity.status, activity.completed_at) == ("pending", None)


def test_reopening_an_open_activity_is_a_409(owner):
    activity = activity_of(owner)
    response = client_for(owner).post(f"/agenda/activities/{activity.pk}/reopen/", **HTMX)
    assert response.status_code == 409


def test_a_follow_up_starts_with_my_default_reminder(owner):
    from notifications.models import NotificationPreferences

    NotificationPreferences.objects.create(user=owner.user, default_remind_before_minutes=20)
    client_for(owner).post(
        "/activities/log/",
        {
            "type": "call",
            "subject": "Discovery call",
            "follow_up": "on",
            "follow_up_subject": "Demo",
            "follow_up_due_at": "2030-01-02T10:00",
        },
    )
    call = Activity.objects.for_account(owner.account).get(subject="Discovery call")
    demo = Activity.objects.for_account(owner.account).get(subject="Demo")
    assert (call.remind_before_minutes, demo.remind_before_minutes) == (None, 20)
    assert demo.remind_at == Activity.reminder_time(demo.due_at, 20)
