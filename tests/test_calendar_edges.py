"""Timestamps and dates at the edge of the calendar.

What the API, the web app and the admin accept is bounded (accounts/calendar_bounds.py)
so every value can be shown in every time zone; and a value stored before that bound
existed (or written around it) still renders: no page answers 500 because of one row.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from activities.models import Activity
from deals.models import Deal
from lib.calendar_range import validate_calendar_range
from notes.models import Note
from tests.factories import ActivityFactory, ContactFactory, DealFactory, NoteFactory
from tests.web_client import client_for

pytestmark = pytest.mark.django_db
API = "/api/v1/crm/"

ZONES = ["America/New_York", "Asia/Tokyo", "Pacific/Kiritimati", "Etc/GMT+12"]
EDGES = [
    dt.datetime(1, 1, 1, tzinfo=dt.UTC),
    dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
]
EDGE_DATES = [dt.date(1, 1, 1), dt.date(9999, 12, 31)]


def store_edge_rows(actor, pipeline, at, on):
    """Rows holding `at`/`on`, written with update() so no validation stands in the way."""
    contact = ContactFactory(account=actor.account, owner=actor.user)
    activity = ActivityFactory(account=actor.account, owner=actor.user, contact=contact)
    note = NoteFactory(account=actor.account, author=actor.user, contact=contact)
    deal = DealFactory(pipeline=pipeline, owner=actor.user, contact=contact)
    Activity.objects.for_account(actor.account).filter(pk=activity.pk).update(due_at=at)
    Note.objects.for_account(actor.account).filter(pk=note.pk).update(occurred_at=at)
    Deal.objects.for_account(actor.account).filter(pk=deal.pk).update(expected_close_date=on)
    return contact, deal


PAGES = [
    "/",
    "/agenda/",
    "/agenda/?tab=today",
    "/agenda/?tab=upcoming",
    "/agenda/?owner=all",
    "/notes/",
    "/deals/",
    "/pipeline/",
    "/contacts/{contact}/",
    "/timeline/contact/{contact}/",
    "/deals/{deal}/",
    "/timeline/deal/{deal}/",
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("at", EDGES, ids=["first-instant", "last-instant"])
def test_every_page_renders_rows_stored_at_the_edge_of_the_calendar(owner, pipeline, zone, at):
    owner.account.time_zone = zone
    owner.account.save(update_fields=["time_zone"])
    on = EDGE_DATES[0] if at.year == 1 else EDGE_DATES[1]
    contact, deal = store_edge_rows(owner, pipeline, at, on)
    client = client_for(owner)
    failures = {}
    for page in PAGES:
        path = page.format(contact=contact.pk, deal=deal.pk)
        response = client.get(path)
        if response.status_code != 200:
            failures[path] = response.status_code
    assert failures == {}


# -- what is accepted ---------------------------------------------------------------------

OUT_OF_RANGE = [
    "0001-01-01T00:00:00Z",
    "0001-12-31T23:59:59Z",
    "9999-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "0002-01-01T00:00:00+01:00",
    "9998-12-31T23:00:00-02:00",
]
OUT_OF_RANGE_DATES = ["0001-01-01", "0001-12-31", "9999-01-01", "9999-12-31"]


def test_the_range_is_years_2_to_9998_in_utc():
    for ok in (
        dt.date(2, 1, 1),
        dt.date(9998, 12, 31),
        dt.datetime(2, 1, 1, tzinfo=dt.UTC),
        dt.datetime(9998, 12, 31, 23, 59, 59, 999999, tzinfo=dt.UTC),
    ):
        validate_calendar_range(ok)
    for bad in (
        dt.date(1, 12, 31),
        dt.date(9999, 1, 1),
        dt.datetime(1, 12, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime(9999, 1, 1, tzinfo=dt.UTC),
    ):
        with pytest.raises(ValidationError):
            validate_calendar_range(bad)


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_the_api_refuses_an_activity_due_at_the_edge_of_the_calendar(owner, value):
    response = owner.client.post(
        f"{API}activities/", {"subject": "x", "due_at": value}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["due_at"] == ["Enter a date between the years 2 and 9998."]
    assert not Activity.objects.for_account(owner.account).exists()


@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_the_api_refuses_a_note_occurred_at_the_edge_of_the_calendar(owner, value):
    response = owner.client.post(
        f"{API}notes/", {"body": "Hi", "occurred_at": value}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()["occurred_at"] == ["Enter a date between the years 2 and 9998."]
    assert not Note.objects.for_account(owner.account).exists()


def test_the_api_refuses_an_edge_timestamp_on_update_too(owner):
    activity = ActivityFactory(account=owner.account, owner=owner.user)
    response = owner.client.patch(
        f"{API}activities/{activity.pk}/", {"due_at": "0001-01-01T00:00:00Z"}, format="json"
    )
    assert response.status_code == 400
    assert "due_at" in response.json()
    activity.refresh_from_db()
    assert activity.due_at is None or activity.due_at.year > 1


def test_a_naive_edge_timestamp_in_a_tokyo_account_is_a_400(owner):
    owner.account.time_zone = "Asia/Tokyo"
    owner.account.save(update_fields=["time_zone"])
    response = owner.client.post(
        f"{API}activities/", {"subject": "x", "due_at": "0001-01-01T05:00:00"}, format="json"
    )
    assert response.status_code == 400
    assert "due_at" in response.json()


@pytest.mark.parametrize("value", OUT_OF_RANGE_DATES)
def test_the_api_refuses_an_expected_close_date_at_the_edge_of_the_calendar(owner, pipeline, value):
    response = owner.client.post(
        f"{API}deals/",
        {"title": "x", "pipeline": pipeline.pk, "expected_close_date": value},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["expected_close_date"] == ["Enter a date between the years 2 and 9998."]
    assert not Deal.objects.for_account(owner.account).exists()


def test_the_api_still_accepts_the_ends_of_the_range(owner, pipeline):
    for value in ("0002-01-01T00:00:00Z", "9998-12-31T23:59:59Z"):
        response = owner.client.post(
            f"{API}activities/", {"subject": "x", "due_at": value}, format="json"
        )
        assert response.status_code == 201, response.content
    response = owner.client.post(
        f"{API}deals/",
        {"title": "x", "pipeline": pipeline.pk, "expected_close_date": "9998-12-31"},
        format="json",
    )
    assert response.status_code == 201, response.content


def test_the_task_form_refuses_a_due_date_at_the_edge_of_the_calendar(owner):
    owner.account.time_zone = "America/New_York"
    owner.account.save(update_fields=["time_zone"])
    contact = ContactFactory(account=owner.account)
    response = client_for(owner).post(
        f"/timeline/contact/{contact.pk}/log/",
        {"kind": "task", "log-task-subject": "x", "log-task-due_at": "0001-01-01T00:00"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Enter a date between the years 2 and 9998." in response.content.decode()
    assert not Activity.objects.for_account(owner.account).exists()


def test_the_deal_form_refuses_an_expected_close_date_at_the_edge_of_the_calendar(owner, pipeline):
    response = client_for(owner).post(
        "/deals/new/",
        {
            "title": "Edge",
            "pipeline": pipeline.pk,
            "currency": "USD",
            "expected_close_date": "9999-12-31",
        },
    )
    assert response.status_code == 200
    assert "Enter a date between the years 2 and 9998." in response.content.decode()
    assert not Deal.objects.for_account(owner.account).exists()


@pytest.mark.parametrize(
    ("model", "field", "value"),
    [
        (Activity, "due_at", dt.datetime(1, 1, 1, tzinfo=dt.UTC)),
        (Note, "occurred_at", dt.datetime(9999, 12, 31, tzinfo=dt.UTC)),
        (Deal, "expected_close_date", dt.date(9999, 12, 31)),
    ],
)
def test_the_models_refuse_edge_values_so_the_admin_forms_do_too(model, field, value):
    with pytest.raises(ValidationError) as refused:
        model._meta.get_field(field).clean(value, None)
    assert refused.value.messages == ["Enter a date between the years 2 and 9998."]


API_READS = [
    "activities/",
    "activities/?ordering=-due_at",
    "notes/",
    "deals/",
    "deals/forecast/",
    "contacts/{contact}/timeline/",
    "deals/{deal}/timeline/",
    "activities/?due_before=9999-12-31T00:00:00Z",
]


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "Etc/GMT+12"])
@pytest.mark.parametrize("at", EDGES, ids=["first-instant", "last-instant"])
def test_the_api_reads_rows_stored_at_the_edge_of_the_calendar(owner, pipeline, zone, at):
    owner.account.time_zone = zone
    owner.account.save(update_fields=["time_zone"])
    on = EDGE_DATES[0] if at.year == 1 else EDGE_DATES[1]
    contact, deal = store_edge_rows(owner, pipeline, at, on)
    for read in API_READS:
        response = owner.client.get(API + read.format(contact=contact.pk, deal=deal.pk))
        assert response.status_code == 200, (read, response.status_code)
    due = owner.client.get(f"{API}activities/").json()["results"][0]["due_at"]
    assert due == at.isoformat().replace("+00:00", "Z")
