"""The trash page's writes meeting on one record (PostgreSQL, real threads released by a
barrier, ten rounds): two Undo clicks (two tabs) restore the contact once, and a restore
against "Empty trash" either restores it or purges it, never both, never an error."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection

from contacts.models import Contact
from events.kinds import kind_named
from events.models import Event, Source
from tests.factories import ContactFactory
from tests.races import ROUNDS, together
from tests.web_client import client_for
from trash.models import TrashedRecord
from trash.services import records_trash

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]


def trashed_contact(account):
    contact = ContactFactory(account=account)
    records_trash(kind_named("contact"), rows=[contact], by=None, source=Source.UI)
    return contact


def post(actor, path, data):
    def job():
        response = client_for(actor).post(path, data)
        return response.status_code, [str(m) for m in get_messages(response.wsgi_request)]

    return job


def test_two_undo_clicks_restore_the_contact_once(owner):
    for _ in range(ROUNDS):
        contact = trashed_contact(owner.account)
        undo = {"records": f"contact:{contact.pk}", "next": "/contacts/"}
        results = together(post(owner, "/trash/undo/", undo), post(owner, "/trash/undo/", undo))
        codes = sorted(code for code, _ in results)
        # Both found it in the trash (302: one restored, one told it is gone), or the
        # second looked after the first had committed (404).
        assert codes in ([302, 302], [302, 404]), results
        texts = " ".join(" ".join(text) for _, text in results)
        assert texts.count("Restored") == 1, results
        assert Contact.objects.for_account(owner.account).filter(pk=contact.pk).exists()
        assert not TrashedRecord.objects.for_account(owner.account).exists()
        restored = Event.objects.for_account(owner.account).filter(
            type="contact.restored", record_id=contact.pk
        )
        assert restored.count() == 1


def test_a_restore_against_emptying_the_trash_is_one_or_the_other(owner):
    for _ in range(ROUNDS):
        contact = trashed_contact(owner.account)
        restore = {"records": f"contact:{contact.pk}"}
        results = together(
            post(owner, "/trash/restore/", restore), post(owner, "/trash/empty/", {})
        )
        assert all(code in (302, 404) for code, _ in results), results
        back = Contact.objects.for_account(owner.account).filter(pk=contact.pk).exists()
        in_trash = TrashedRecord.objects.for_account(owner.account).exists()
        assert not in_trash
        restored = Event.objects.for_account(owner.account).filter(
            type="contact.restored", record_id=contact.pk
        )
        assert restored.count() == (1 if back else 0)
