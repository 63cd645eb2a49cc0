"""Idempotency-Key on POSTs: a repeat gets the first answer and writes nothing more;
another body is a 422; keys are per account, valid only as 1-255 visible ASCII
characters, and forgotten after a day."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.idempotency import (
    KEY_LIFETIME,
    idempotency_key_claim,
    idempotency_keys_purge,
    request_fingerprint,
)
from accounts.models import IdempotencyKey
from contacts.models import Contact
from deals.models import Deal
from tests.factories import DealFactory, PipelineFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/crm"
CONTACTS = f"{API}/contacts/"


def post(actor, path, body=None, key="key-1", **headers):
    return actor.client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY=key, **headers)


def contacts(actor):
    return Contact.objects.for_account(actor.account)


def test_a_repeated_create_answers_the_first_answer_and_stores_one_contact(owner):
    first = post(owner, CONTACTS, {"first_name": "Ada", "email": "ada@example.com"})
    again = post(owner, CONTACTS, {"first_name": "Ada", "email": "ada@example.com"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]
    assert contacts(owner).count() == 1


def test_a_replay_carries_rate_limit_headers_of_its_own(owner):
    post(owner, CONTACTS, {"first_name": "Ada"})
    again = post(owner, CONTACTS, {"first_name": "Ada"})
    assert "RateLimit-Remaining" in again


def test_a_repeated_action_is_applied_once(owner):
    deal = DealFactory(pipeline=PipelineFactory(account=owner.account))
    first = post(owner, f"{API}/deals/{deal.pk}/win/")
    owner.client.post(f"{API}/deals/{deal.pk}/reopen/")
    again = post(owner, f"{API}/deals/{deal.pk}/win/")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert Deal.objects.for_account(owner.account).get(pk=deal.pk).status == Deal.Status.OPEN


def test_a_refusal_is_answered_again_even_once_the_request_would_succeed(owner):
    deal = DealFactory(pipeline=PipelineFactory(account=owner.account))
    owner.client.post(f"{API}/deals/{deal.pk}/win/")
    refused = post(owner, f"{API}/deals/{deal.pk}/abandon/")
    assert refused.status_code == 409
    owner.client.post(f"{API}/deals/{deal.pk}/reopen/")
    again = post(owner, f"{API}/deals/{deal.pk}/abandon/")
    assert again.status_code == 409
    assert again.json() == refused.json()
    assert Deal.objects.for_account(owner.account).get(pk=deal.pk).status == Deal.Status.OPEN


def test_an_invalid_body_is_answered_again_and_writes_nothing(owner):
    first = post(owner, CONTACTS, {"first_name": "Ada", "email": "not an email"})
    again = post(owner, CONTACTS, {"first_name": "Ada", "email": "not an email"})
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()
    assert not contacts(owner).exists()


def test_the_same_key_with_another_body_is_a_422_and_writes_nothing(owner):
    post(owner, CONTACTS, {"first_name": "Ada"})
    other = post(owner, CONTACTS, {"first_name": "Grace"})
    assert other.status_code == 422
    assert "detail" in other.json()
    assert list(contacts(owner).values_list("first_name", flat=True)) == ["Ada"]


def test_the_same_key_on_another_path_is_a_422(owner):
    deal = DealFactory(pipeline=PipelineFactory(account=owner.account))
    post(owner, f"{API}/deals/{deal.pk}/win/")
    other = post(owner, f"{API}/deals/{deal.pk}/lose/", {"reason": "price"})
    assert other.status_code == 422
    assert Deal.objects.for_account(owner.account).get(pk=deal.pk).status == Deal.Status.WON


def test_keys_are_per_account(owner, outsider):
    mine = post(owner, CONTACTS, {"first_name": "Ada"})
    theirs = post(outsider, CONTACTS, {"first_name": "Ada"})
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert contacts(owner).count() == contacts(outsider).count() == 1


def test_a_teammate_repeating_a_key_of_the_account_gets_its_answer(owner, teammate):
    first = post(owner, CONTACTS, {"first_name": "Ada"})
    again = post(teammate, CONTACTS, {"first_name": "Ada"})
    assert again.status_code == 201
    assert again.json() == first.json()
    assert contacts(owner).count() == 1


def test_a_post_without_a_key_is_not_deduplicated(owner):
    for _ in range(2):
        owner.client.post(CONTACTS, {"first_name": "Ada"}, format="json")
    assert contacts(owner).count() == 2
    assert not IdempotencyKey.objects.for_account(owner.account).exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "tab\tkey", "caf\u00e9"])
def test_an_invalid_key_is_a_400_and_writes_nothing(owner, key):
    response = post(owner, CONTACTS, {"first_name": "Ada"}, key=key)
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not contacts(owner).exists()


def test_the_longest_valid_key_is_accepted(owner):
    response = post(owner, CONTACTS, {"first_name": "Ada"}, key="~" * 255)
    assert response.status_code == 201


def test_a_key_in_flight_is_a_409_and_writes_nothing(owner):
    body = b'{"first_name":"Ada"}'
    fingerprint = request_fingerprint("POST", CONTACTS, body)
    with transaction.atomic():  # the first request's transaction, still open
        idempotency_key_claim(account=owner.account, key="busy", fingerprint=fingerprint)
        response = owner.client.post(
            CONTACTS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="busy"
        )
        assert response.status_code == 409
        assert "still running" in response.json()["detail"]
        assert not contacts(owner).exists()


def test_a_request_that_fails_on_the_server_leaves_its_key_free(owner, monkeypatch):
    from contacts.api import views

    def broken(**kwargs):
        raise RuntimeError("the server failed")

    monkeypatch.setattr(views, "contact_create", broken)
    owner.client.raise_request_exception = False
    failed = post(owner, CONTACTS, {"first_name": "Ada"})
    assert failed.status_code == 500
    monkeypatch.undo()
    retried = post(owner, CONTACTS, {"first_name": "Ada"})
    assert retried.status_code == 201
    assert contacts(owner).count() == 1


def test_a_key_older_than_a_day_runs_again(owner):
    post(owner, CONTACTS, {"first_name": "Ada"})
    IdempotencyKey.objects.for_account(owner.account).update(
        created_at=timezone.now() - KEY_LIFETIME - dt.timedelta(seconds=1)
    )
    again = post(owner, CONTACTS, {"first_name": "Ada"})
    assert again.status_code == 201
    assert contacts(owner).count() == 2


def test_purge_deletes_the_keys_older_than_a_day_of_every_account(owner, outsider):
    post(owner, CONTACTS, {"first_name": "Old"}, key="old")
    post(outsider, CONTACTS, {"first_name": "Old"}, key="old")
    post(owner, CONTACTS, {"first_name": "New"}, key="new")
    IdempotencyKey.objects.dangerously_unscoped().filter(key="old").update(
        created_at=timezone.now() - KEY_LIFETIME - dt.timedelta(minutes=1)
    )
    assert idempotency_keys_purge() == 2
    remaining = IdempotencyKey.objects.dangerously_unscoped().values_list("key", flat=True)
    assert list(remaining) == ["new"]


def test_a_repeated_bulk_import_answers_the_first_answer_and_imports_once(owner):
    body = {"contacts": [{"first_name": f"P{i}", "email": f"p{i}@example.com"} for i in range(3)]}
    first = post(owner, f"{CONTACTS}bulk-import/", body)
    again = post(owner, f"{CONTACTS}bulk-import/", body)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert contacts(owner).count() == 3


def test_expired_keys_are_purged_by_an_hourly_recurring_job(owner):
    from accounts.tasks import purge_idempotency_keys
    from schedules.recurring import registered_jobs

    assert registered_jobs()["accounts.purge_idempotency_keys"].every == dt.timedelta(hours=1)
    post(owner, CONTACTS, {"first_name": "Ada"})
    IdempotencyKey.objects.for_account(owner.account).update(
        created_at=timezone.now() - KEY_LIFETIME - dt.timedelta(seconds=1)
    )
    assert purge_idempotency_keys() == "deleted 1 idempotency keys"
    assert not IdempotencyKey.objects.for_account(owner.account).exists()


@pytest.mark.parametrize("header", ["HTTP_IDEMPOTENCY_KEY", "HTTP_IF_MATCH"])
def test_a_connection_lost_while_the_answer_is_stored_leaves_no_transaction_open(
    owner, monkeypatch, header
):
    # The request's own transaction must end even when storing or committing its answer
    # fails: left open on the thread's connection, every later request the thread
    # served (a server thread keeps its connection) failed with "Cannot open a new
    # connection in an atomic block" after a database outage.
    from django.db import OperationalError, connection

    from accounts.api import record_writes

    contact = Contact.objects.create(account=owner.account, first_name="Ada")
    etag = owner.client.get(f"{CONTACTS}{contact.pk}/")["ETag"]
    blocks_before = list(connection.atomic_blocks)

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(record_writes, "idempotency_key_complete", lost)
    owner.client.raise_request_exception = False
    if header == "HTTP_IDEMPOTENCY_KEY":
        failed = post(owner, CONTACTS, {"first_name": "Bo"})
    else:
        monkeypatch.setattr(record_writes.RecordWritesMixin, "_set_etag", lost)
        failed = owner.client.patch(
            f"{CONTACTS}{contact.pk}/", {"first_name": "Bo"}, format="json", HTTP_IF_MATCH=etag
        )
    assert failed.status_code >= 500
    assert list(connection.atomic_blocks) == blocks_before
    monkeypatch.undo()
    assert owner.client.get(CONTACTS).status_code == 200
