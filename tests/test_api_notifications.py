"""`/api/v1/notifications/`: the request's user's notifications in the request's
account, newest first; read one, read all."""

import pytest
from django.utils import timezone

from notifications.models import Notification
from tests.notification_data import notification_for
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db
URL = "/api/v1/notifications/"


def test_it_lists_my_notifications_newest_first_in_the_contract_shape(owner, teammate):
    older = notification_for(owner, title="Older", actor=teammate.user)
    newer = notification_for(owner, kind="reminder", record_type="activity", record_id=9)
    body = owner.client.get(URL).json()
    assert body["count"] == 2
    assert [n["id"] for n in body["results"]] == [newer.pk, older.pk]
    first = body["results"][1]
    assert set(first) == {"id", "kind", "record", "title", "actor", "created_at", "read_at"}
    assert first["record"] == {"type": "contact", "id": 1}
    assert first["actor"] == teammate.user.pk
    assert first["kind"] == "assigned" and first["read_at"] is None
    assert body["results"][0]["kind"] == "reminder"
    assert body["results"][0]["actor"] is None


def test_it_shows_only_the_request_users_notifications(owner, teammate, outsider):
    notification_for(teammate)
    notification_for(outsider)
    assert owner.client.get(URL).json()["count"] == 0


def test_unread_filters_and_a_bad_value_is_a_400(owner):
    read = notification_for(owner, read_at=timezone.now())
    unread = notification_for(owner)
    assert [n["id"] for n in owner.client.get(URL, {"unread": "true"}).json()["results"]] == [
        unread.pk
    ]
    assert [n["id"] for n in owner.client.get(URL, {"unread": "false"}).json()["results"]] == [
        read.pk
    ]
    assert owner.client.get(URL, {"unread": "maybe"}).status_code == 400


def test_it_is_paginated(owner):
    for _ in range(3):
        notification_for(owner)
    body = owner.client.get(URL, {"page_size": 2}).json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


def test_read_marks_it_and_answers_with_it(owner):
    notification = notification_for(owner)
    response = owner.client.post(f"{URL}{notification.pk}/read/")
    assert response.status_code == 200
    assert response.json()["id"] == notification.pk
    assert response.json()["read_at"] is not None
    first = Notification.objects.for_account(owner.account).get(pk=notification.pk).read_at
    again = owner.client.post(f"{URL}{notification.pk}/read/").json()
    assert again["read_at"] == response.json()["read_at"]
    assert first is not None


def test_read_of_anothers_notification_is_a_404(owner, teammate, outsider):
    for other in (teammate, outsider):
        theirs = notification_for(other)
        assert owner.client.post(f"{URL}{theirs.pk}/read/").status_code == 404
        theirs.refresh_from_db()
        assert theirs.read_at is None
    assert owner.client.post(f"{URL}abc/read/").status_code == 404


def test_read_all_marks_only_mine_and_says_how_many(owner, teammate):
    notification_for(owner)
    notification_for(owner)
    notification_for(owner, read_at=timezone.now())
    theirs = notification_for(teammate)
    response = owner.client.post(f"{URL}read-all/")
    assert response.status_code == 200
    assert response.json() == {"marked": 2}
    assert owner.client.post(f"{URL}read-all/").json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_costs_the_same_queries_for_more_rows(owner):
    notification_for(owner)
    with capture_queries() as small:
        assert owner.client.get(URL).status_code == 200
    for _ in range(15):
        notification_for(owner)
    with capture_queries() as large:
        assert owner.client.get(URL).status_code == 200
    assert_same_count(small, large)


def test_it_needs_authentication(client):
    assert client.get(URL).status_code == 401
