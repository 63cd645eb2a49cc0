"""Idempotency-Key under concurrency (PostgreSQL, real threads): requests repeating one
key at the same instant write once, and a key whose first request is still running
in another connection answers 409."""

import threading

import pytest
from django.db import connection, connections, transaction

from accounts.idempotency import idempotency_key_claim, request_fingerprint
from contacts.models import Contact
from tests.races import own_client, together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
CONTACTS = "/api/v1/crm/contacts/"
ROUNDS = 8


def test_creates_racing_with_one_key_store_one_contact(owner):
    for round_number in range(ROUNDS):
        key = f"race-{round_number}"
        body = {"first_name": "Ada", "email": f"ada{round_number}@example.com"}

        def create(key=key, body=body):
            response = own_client(owner).post(
                CONTACTS, body, format="json", HTTP_IDEMPOTENCY_KEY=key
            )
            return response.status_code, response.json()

        answers = together(create, create, create)
        statuses = sorted(status for status, _body in answers)
        assert statuses[0] == 201 and set(statuses) <= {201, 409}, answers
        created = {body["id"] for status, body in answers if status == 201}
        assert len(created) == 1, "every 201 names the same contact"
        stored = Contact.objects.for_account(owner.account).filter(email=body["email"])
        assert list(stored.values_list("pk", flat=True)) == list(created)


def test_a_key_held_by_a_running_request_elsewhere_is_a_409(owner):
    body = b'{"first_name":"Ada"}'
    fingerprint = request_fingerprint("POST", CONTACTS, body)
    claimed, finish = threading.Event(), threading.Event()

    def first_request():  # another worker, inside its request's transaction
        try:
            with transaction.atomic():
                idempotency_key_claim(account=owner.account, key="busy", fingerprint=fingerprint)
                claimed.set()
                finish.wait(timeout=30)
                transaction.set_rollback(True)  # it dies without an answer
        finally:
            connections.close_all()

    worker = threading.Thread(target=first_request)
    worker.start()
    try:
        assert claimed.wait(timeout=30)
        response = own_client(owner).post(
            CONTACTS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="busy"
        )
    finally:
        finish.set()
        worker.join(timeout=30)
    assert response.status_code == 409
    assert not Contact.objects.for_account(owner.account).exists()
    # The first request ended without an answer (rolled back): the key is free again.
    retried = own_client(owner).post(
        CONTACTS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="busy"
    )
    assert retried.status_code == 201
