"""The trash under concurrency (PostgreSQL, real requests released together, several
rounds): a record is restored once, a restore and a create never both take one email,
and a delete racing a write that links to the deleted record leaves no link to it."""

import pytest
from django.db import connection

from companies.models import Company
from contacts.models import Contact
from events.models import Event
from tests.factories import CompanyFactory, ContactFactory
from tests.races import ROUNDS, own_client, together
from trash.models import TrashedRecord

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
API = "/api/v1/crm"


def post(actor, url, body=None):
    return lambda: own_client(actor).post(url, body or {}, format="json").status_code


def test_two_restores_of_one_record_restore_it_once(owner, teammate):
    for _ in range(ROUNDS):
        contact = ContactFactory(account=owner.account)
        owner.client.delete(f"{API}/contacts/{contact.pk}/")
        url = f"{API}/trash/contacts/{contact.pk}/restore/"
        codes = together(post(owner, url), post(teammate, url))
        assert sorted(codes) == [200, 404]
        assert Contact.objects.for_account(owner.account).filter(pk=contact.pk).exists()
        restored = Event.objects.for_account(owner.account).filter(
            type="contact.restored", record_id=contact.pk
        )
        assert restored.count() == 1


def test_a_restore_and_a_create_never_both_take_one_email(owner, teammate):
    for round_number in range(ROUNDS):
        email = f"race{round_number}@example.com"
        contact = ContactFactory(account=owner.account, email=email)
        owner.client.delete(f"{API}/contacts/{contact.pk}/")
        codes = together(
            post(owner, f"{API}/trash/contacts/{contact.pk}/restore/"),
            post(teammate, f"{API}/contacts/", {"first_name": "New", "email": email}),
        )
        assert codes in ([200, 400], [409, 201]), codes
        assert Contact.objects.for_account(owner.account).filter(email=email).count() == 1
        in_trash = TrashedRecord.objects.for_account(owner.account).filter(record_id=contact.pk)
        assert in_trash.exists() == (codes[0] == 409)


def test_a_delete_racing_a_link_to_the_deleted_record_leaves_no_dangling_link(owner, teammate):
    for _ in range(ROUNDS):
        company = CompanyFactory(account=owner.account)
        contact = ContactFactory(account=owner.account)
        codes = together(
            lambda company=company: (
                own_client(owner).delete(f"{API}/companies/{company.pk}/").status_code
            ),
            lambda contact=contact, company=company: (
                own_client(teammate)
                .patch(f"{API}/contacts/{contact.pk}/", {"company": company.pk}, format="json")
                .status_code
            ),
        )
        assert codes[0] == 204
        # Linked first; found it deleted while writing (409); or already gone when the
        # request was validated (400: no such company).
        assert codes[1] in (200, 400, 409), codes
        contact.refresh_from_db()
        assert contact.company_id is None
        assert not Company.objects.for_account(owner.account).filter(pk=company.pk).exists()
        if codes[1] == 200:
            # The link was made first: the trash keeps it, and restore brings it back.
            assert (
                own_client(owner).post(f"{API}/trash/companies/{company.pk}/restore/").status_code
                == 200
            )
            contact.refresh_from_db()
            assert contact.company_id == company.pk
