"""Two saves of one edit form opened on the same version, released together
(PostgreSQL, real threads, several rounds): exactly one saves, the other is shown the
conflict, and the stored record is the one that was acknowledged."""

from functools import partial

import pytest
from django.db import connection

from contacts.models import Contact
from tests.factories import ContactFactory
from tests.html_forms import form_data
from tests.races import together
from tests.web_client import client_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
ROUNDS = 8


def test_of_two_saves_on_one_version_exactly_one_lands(owner, teammate):
    mine, theirs = client_for(owner), client_for(teammate)
    for round_number in range(ROUNDS):
        contact = ContactFactory(account=owner.account, title="Buyer")
        url = f"/contacts/{contact.pk}/edit/"
        opened = form_data(mine.get(url).content.decode(), "contact-form")
        first = {**opened, "title": [f"Mine {round_number}"]}
        second = {**opened, "title": [f"Theirs {round_number}"]}
        answers = together(partial(mine.post, url, first), partial(theirs.post, url, second))
        codes = sorted(getattr(answer, "status_code", answer) for answer in answers)
        assert codes == [302, 409], answers
        winner = first if answers[0].status_code == 302 else second
        stored = Contact.objects.for_account(owner.account).get(pk=contact.pk)
        assert stored.title == winner["title"][0]
