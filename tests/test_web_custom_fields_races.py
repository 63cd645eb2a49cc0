"""Two edit forms of one contact, each changing another custom field, saved together
(PostgreSQL, real threads, several rounds): both changes land. The form merges its
fields into the object as stored under the row's lock, not as it read it."""

from functools import partial

import pytest
from django.db import connection

from contacts.models import Contact
from customfields.services import custom_field_create
from tests.factories import ContactFactory
from tests.races import together
from tests.web_client import client_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
ROUNDS = 8


def test_two_edits_of_different_custom_fields_both_land(owner, teammate):
    for key in ("score", "source"):
        custom_field_create(
            account=owner.account, data={"record_type": "contact", "type": "text", "key": key}
        )
    mine, theirs = client_for(owner), client_for(teammate)
    for round_number in range(ROUNDS):
        contact = ContactFactory(
            account=owner.account, custom_fields={"score": "a", "source": "b", "other": 1}
        )
        url = f"/contacts/{contact.pk}/edit/"
        # Opened without a version (a script, an old page): no conflict check, so only
        # the lock keeps both changes.
        base = {
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "cf_score": "a",
            "initial-cf_score": "a",
            "cf_source": "b",
            "initial-cf_source": "b",
        }
        first = base | {"cf_score": f"mine {round_number}"}
        second = base | {"cf_source": f"theirs {round_number}"}
        answers = together(partial(mine.post, url, first), partial(theirs.post, url, second))
        assert [getattr(a, "status_code", a) for a in answers] == [302, 302], answers
        stored = Contact.objects.for_account(owner.account).get(pk=contact.pk)
        assert stored.custom_fields == {
            "score": f"mine {round_number}",
            "source": f"theirs {round_number}",
            "other": 1,
        }
