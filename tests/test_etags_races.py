"""If-Match under concurrency (PostgreSQL, requests released together by a barrier,
several rounds): of two writes sent with the same ETag, exactly one lands."""

import pytest
from django.db import connection

from contacts.models import Contact
from deals.models import Deal
from lib.versions import etag_of
from tests.factories import ContactFactory, DealFactory, PipelineFactory
from tests.races import own_client, together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
API = "/api/v1/crm"
ROUNDS = 8


def test_two_patches_with_the_same_etag_one_lands_the_other_gets_412(owner):
    for round_number in range(ROUNDS):
        contact = ContactFactory(account=owner.account, first_name="Start")
        etag = etag_of(contact)

        def patch(field, value, contact=contact, etag=etag):
            response = own_client(owner).patch(
                f"{API}/contacts/{contact.pk}/", {field: value}, format="json", HTTP_IF_MATCH=etag
            )
            return response.status_code

        first, last = f"A{round_number}", f"B{round_number}"
        answers = together(
            lambda first=first: patch("first_name", first),
            lambda last=last: patch("last_name", last),
        )
        assert sorted(answers) == [200, 412], answers
        stored = Contact.objects.for_account(owner.account).get(pk=contact.pk)
        landed = (stored.first_name == f"A{round_number}", stored.last_name == f"B{round_number}")
        assert sum(landed) == 1, "only the write that answered 200 changed the contact"
        assert landed[0] == (answers[0] == 200)


def test_a_patch_and_an_action_with_the_same_etag_one_lands(owner):
    pipeline = PipelineFactory(account=owner.account)
    for _round in range(ROUNDS):
        deal = DealFactory(pipeline=pipeline, title="Start")
        etag = etag_of(deal)

        def rename(deal=deal, etag=etag):
            return (
                own_client(owner)
                .patch(
                    f"{API}/deals/{deal.pk}/",
                    {"title": "Renamed"},
                    format="json",
                    HTTP_IF_MATCH=etag,
                )
                .status_code
            )

        def win(deal=deal, etag=etag):
            return (
                own_client(owner)
                .post(f"{API}/deals/{deal.pk}/win/", HTTP_IF_MATCH=etag)
                .status_code
            )

        answers = together(rename, win)
        assert sorted(answers) == [200, 412], answers
        stored = Deal.objects.for_account(owner.account).get(pk=deal.pk)
        assert (stored.title == "Renamed") == (answers[0] == 200)
        assert (stored.status == Deal.Status.WON) == (answers[1] == 200)
