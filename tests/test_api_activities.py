"""/api/v1/crm/activities/: the status machine, due dates in the account's zone, filters."""

import datetime as dt

import pytest
from django.utils import timezone

from activities.models import Activity
from notifications.models import NotificationPreferences
from tests.factories import ActivityFactory, ContactFactory, DealFactory
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/activities/"


def test_create_answers_the_full_representation(owner):
    contact = ContactFactory(account=owner.account)
    response = owner.client.post(
        URL,
        {
            "type": "call",
            "subject": "Intro call",
            "due_at": "2030-01-02T09:30:00Z",
            "contact": contact.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {
        "id",
        "type",
        "subject",
        "description",
        "status",
        "due_at",
        "completed_at",
        "contact",
        "company",
        "deal",
        "owner",
        "remind_before_minutes",
        "is_overdue",
        "created_at",
        "updated_at",
    }
    assert (body["status"], body["owner"], body["is_overdue"], body["due_at"]) == (
        "pending",
        owner.user.pk,
        False,
        "2030-01-02T09:30:00Z",
    )


def test_a_naive_due_date_is_read_in_the_accounts_time_zone(owner):
    owner.account.time_zone = "America/New_York"
    owner.account.save()
    body = owner.client.post(
        URL, {"subject": "x", "due_at": "2030-07-01T09:00:00"}, format="json"
    ).json()
    assert body["due_at"] == "2030-07-01T13:00:00Z"  # 09:00 EDT
    body = owner.client.post(
        URL, {"subject": "x", "due_at": "2030-07-01T09:00:00+02:00"}, format="json"
    ).json()
    assert body["due_at"] == "2030-07-01T07:00:00Z"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject", ""),
        ("subject", "x" * 201),
        ("description", "x" * 10_001),
        ("type", "visit"),
        ("due_at", "tomorrow"),
        ("due_at", "0001-01-01T00:00:00+05:00"),
    ],
)
def test_invalid_fields_are_a_400(owner, field, value):
    response = owner.client.post(URL, {"subject": "ok", field: value}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        ("pending", "start", "in_progress"),
        ("pending", "complete", "completed"),
        ("in_progress", "complete", "completed"),
        ("pending", "cancel", "cancelled"),
        ("in_progress", "cancel", "cancelled"),
    ],
)
def test_allowed_transitions(owner, start, action, end):
    activity = ActivityFactory(account=owner.account, status=start)
    response = owner.client.post(f"{URL}{activity.pk}/{action}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == end
    assert (body["completed_at"] is not None) == (end == "completed")


@pytest.mark.parametrize(
    ("start", "action"),
    [
        ("in_progress", "start"),
        ("completed", "start"),
        ("cancelled", "start"),
        ("completed", "complete"),
        ("cancelled", "complete"),
        ("completed", "cancel"),
        ("cancelled", "cancel"),
    ],
)
def test_every_other_transition_is_a_409_and_changes_nothing(owner, start, action):
    done = timezone.now() - dt.timedelta(days=1) if start == "completed" else None
    activity = ActivityFactory(account=owner.account, status=start, completed_at=done)
    response = owner.client.post(f"{URL}{activity.pk}/{action}/")
    assert response.status_code == 409
    assert "detail" in response.json()
    activity.refresh_from_db()
    assert (activity.status, activity.completed_at) == (start, done)


def test_status_cannot_be_patched(owner):
    activity = ActivityFactory(account=owner.account)
    response = owner.client.patch(f"{URL}{activity.pk}/", {"status": "completed"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    activity.refresh_from_db()
    assert activity.status == "pending"


def test_is_overdue_means_not_done_and_due_in_the_past(owner):
    past = timezone.now() - dt.timedelta(hours=1)
    cases = {
        "late": ActivityFactory(account=owner.account, due_at=past),
        "late but started": ActivityFactory(
            account=owner.account, due_at=past, status="in_progress"
        ),
        "done": ActivityFactory(
            account=owner.account, due_at=past, status="completed", completed_at=past
        ),
        "dropped": ActivityFactory(account=owner.account, due_at=past, status="cancelled"),
        "later": ActivityFactory(
            account=owner.account, due_at=timezone.now() + dt.timedelta(hours=1)
        ),
        "undated": ActivityFactory(account=owner.account),
    }
    body = owner.client.get(URL, {"page_size": 100}).json()["results"]
    overdue = {a["subject"] for a in body if a["is_overdue"]}
    assert overdue == {cases["late"].subject, cases["late but started"].subject}
    listed = owner.client.get(URL, {"overdue": "true"}).json()["results"]
    assert {a["subject"] for a in listed} == overdue
    not_overdue = owner.client.get(URL, {"overdue": "false", "page_size": 100}).json()
    assert {a["subject"] for a in not_overdue["results"]} == {
        c.subject for c in cases.values()
    } - overdue
    assert {a.subject for a in Activity.objects.for_account(owner.account).overdue()} == overdue


def test_default_order_is_due_date_with_undated_last(owner):
    now = timezone.now()
    ActivityFactory(account=owner.account, subject="undated")
    ActivityFactory(account=owner.account, subject="later", due_at=now + dt.timedelta(days=2))
    ActivityFactory(account=owner.account, subject="sooner", due_at=now + dt.timedelta(days=1))
    subjects = lambda q: [a["subject"] for a in owner.client.get(URL, q).json()["results"]]  # noqa: E731
    assert subjects({}) == ["sooner", "later", "undated"]
    assert subjects({"ordering": "-due_at"}) == ["later", "sooner", "undated"]


def test_filters_select_activities(owner, teammate):
    contact = ContactFactory(account=owner.account)
    deal = DealFactory(pipeline__account=owner.account)
    ActivityFactory(
        account=owner.account,
        subject="a",
        type="call",
        contact=contact,
        owner=owner.user,
        due_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
    )
    ActivityFactory(
        account=owner.account,
        subject="b",
        type="meeting",
        deal=deal,
        owner=teammate.user,
        status="in_progress",
        due_at=dt.datetime(2030, 6, 1, tzinfo=dt.UTC),
    )
    get = lambda q: sorted(a["subject"] for a in owner.client.get(URL, q).json()["results"])  # noqa: E731
    assert get({"type": "call"}) == ["a"]
    assert get({"status": "in_progress"}) == ["b"]
    assert get({"contact": contact.pk}) == ["a"]
    assert get({"deal": deal.pk}) == ["b"]
    assert get({"owner": "me"}) == ["a"]
    assert get({"due_after": "2030-03-01T00:00:00Z"}) == ["b"]
    assert get({"due_before": "2030-03-01T00:00:00Z"}) == ["a"]
    assert owner.client.get(URL, {"overdue": "maybe"}).status_code == 400
    assert owner.client.get(URL, {"status": "done"}).status_code == 400


def test_activity_list_queries_do_not_grow(owner):
    def count():
        with capture_queries() as ctx:
            assert owner.client.get(URL, {"page_size": 100}).status_code == 200
        return ctx

    ActivityFactory.create_batch(2, account=owner.account)
    small = count()
    ActivityFactory.create_batch(40, account=owner.account)
    assert_same_count(small, count(), at_most=4)


@pytest.mark.parametrize("value", [-1, 40_321, "soon", 1.5])
def test_remind_before_minutes_out_of_range_is_a_400(owner, value):
    response = owner.client.post(
        URL, {"subject": "Call", "remind_before_minutes": value}, format="json"
    )
    assert response.status_code == 400
    assert "remind_before_minutes" in response.json()


def test_remind_before_minutes_is_written_and_cleared(owner):
    body = {"subject": "Call", "remind_before_minutes": 40_320}
    created = owner.client.post(URL, body, format="json").json()
    assert created["remind_before_minutes"] == 40_320
    url = f"{URL}{created['id']}/"
    cleared = owner.client.patch(url, {"remind_before_minutes": None}, format="json").json()
    assert cleared["remind_before_minutes"] is None


# -- the creator's default reminder (activities.new_activity_defaults) -----------------


def test_a_create_without_a_reminder_takes_my_default_reminder(owner):
    NotificationPreferences.objects.create(user=owner.user, default_remind_before_minutes=30)
    due = "2030-01-02T10:00:00Z"
    created = owner.client.post(URL, {"subject": "Call", "due_at": due}, format="json").json()
    assert created["remind_before_minutes"] == 30
    activity = Activity.objects.for_account(owner.account).get(pk=created["id"])
    assert activity.remind_at == Activity.reminder_time(activity.due_at, 30)


def test_an_explicit_null_reminder_means_none_whatever_my_default(owner):
    NotificationPreferences.objects.create(user=owner.user, default_remind_before_minutes=30)
    body = {"subject": "Call", "due_at": "2030-01-02T10:00:00Z", "remind_before_minutes": None}
    created = owner.client.post(URL, body, format="json").json()
    assert created["remind_before_minutes"] is None
    assert Activity.objects.for_account(owner.account).get(pk=created["id"]).remind_at is None


def test_an_explicit_reminder_wins_over_my_default(owner):
    NotificationPreferences.objects.create(user=owner.user, default_remind_before_minutes=30)
    body = {"subject": "Call", "remind_before_minutes": 0}
    assert owner.client.post(URL, body, format="json").json()["remind_before_minutes"] == 0


def test_the_default_is_the_creators_not_the_owners(owner, teammate):
    NotificationPreferences.objects.create(user=owner.user, default_remind_before_minutes=30)
    NotificationPreferences.objects.create(user=teammate.user, default_remind_before_minutes=5)
    body = {"subject": "Call", "owner": teammate.user.pk}
    assert owner.client.post(URL, body, format="json").json()["remind_before_minutes"] == 30


def test_without_preferences_a_create_has_no_reminder(owner):
    created = owner.client.post(URL, {"subject": "Call"}, format="json").json()
    assert created["remind_before_minutes"] is None
    assert not NotificationPreferences.objects.filter(user=owner.user).exists()


def test_a_patch_without_a_reminder_leaves_it_alone(owner):
    NotificationPreferences.objects.create(user=owner.user, default_remind_before_minutes=30)
    activity = ActivityFactory(account=owner.account, remind_before_minutes=None)
    answer = owner.client.patch(f"{URL}{activity.pk}/", {"subject": "Renamed"}, format="json")
    assert answer.json()["remind_before_minutes"] is None
