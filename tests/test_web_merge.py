"""The merge screen (web/merge/): both records side by side, a choice where they
disagree, what will move; the merge, and its undo from the message that follows."""

import pytest

from contacts.models import Contact
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
)
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for
from trash.models import TrashedRecord

pytestmark = pytest.mark.django_db


def url(plural, pk, other):
    return f"/merge/{plural}/{pk}/{other}/"


def pair(owner):
    survivor = ContactFactory(
        account=owner.account, first_name="Ada", last_name="", title="CTO", email="ada@example.com"
    )
    other = ContactFactory(
        account=owner.account,
        first_name="Ada",
        last_name="Lovelace",
        title="Engineer",
        email="lovelace@example.com",
    )
    return survivor, other


def test_the_screen_shows_both_records_a_choice_where_they_differ_and_what_moves(owner, pipeline):
    survivor, other = pair(owner)
    DealFactory.create_batch(3, account=owner.account, pipeline=pipeline, contact=other)
    NoteFactory(account=owner.account, contact=other)
    ActivityFactory.create_batch(2, account=owner.account, contact=other)
    response = client_for(owner).get(url("contacts", survivor.pk, other.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="title" value="mine"' in html and 'name="title" value="other"' in html
    assert 'name="last_name"' not in html  # empty on the survivor: filled, no choice
    assert 'name="first_name"' not in html  # the same on both
    assert "3 deals" in html and "1 note" in html and "2 activities" in html
    assert f"/merge/contacts/{other.pk}/{survivor.pk}/" in html


def test_the_screen_costs_the_same_queries_however_much_would_move(owner, pipeline):
    client = client_for(owner)

    def run(n):
        survivor, other = (
            ContactFactory(account=owner.account),
            ContactFactory(account=owner.account),
        )
        DealFactory.create_batch(n, account=owner.account, pipeline=pipeline, contact=other)
        NoteFactory.create_batch(n, account=owner.account, contact=other)
        with capture_queries() as queries:
            assert client.get(url("contacts", survivor.pk, other.pk)).status_code == 200
        return queries

    assert_same_count(run(1), run(5))


def test_merge_then_undo_from_the_message(owner):
    survivor, other = pair(owner)
    client = client_for(owner)
    response = client.post(url("contacts", survivor.pk, other.pk), {"title": "other"})
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{survivor.pk}/"
    merged = Contact.objects.for_account(owner.account).get(pk=survivor.pk)
    assert (merged.title, merged.last_name, merged.email) == (
        "Engineer",
        "Lovelace",
        "ada@example.com",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Undo" in page and f'value="contact:{other.pk}"' in page
    undone = client.post("/trash/undo/", {"records": f"contact:{other.pk}"})
    assert undone.status_code == 302 and undone["Location"] == f"/contacts/{other.pk}/"
    back = Contact.objects.for_account(owner.account).get(pk=survivor.pk)
    assert (back.title, back.last_name) == ("CTO", "")
    assert Contact.objects.for_account(owner.account).get(pk=other.pk).title == "Engineer"
    assert client.post("/trash/undo/", {"records": f"contact:{other.pk}"}).status_code == 404


def test_an_undo_whose_email_was_taken_since_is_refused_and_said_on_the_page(owner):
    survivor, other = pair(owner)
    client = client_for(owner)
    client.post(url("contacts", survivor.pk, other.pk), {"title": "mine"})
    ContactFactory(account=owner.account, email="lovelace@example.com")
    response = client.post("/trash/undo/", {"records": f"contact:{other.pk}"}, follow=True)
    assert "could not be restored" in response.content.decode()
    assert not Contact.objects.for_account(owner.account).filter(pk=other.pk).exists()
    assert TrashedRecord.objects.for_account(owner.account).filter(record_id=other.pk).exists()


def test_companies_merge_on_the_screen(owner):
    survivor = CompanyFactory(account=owner.account, name="Acme", industry="")
    other = CompanyFactory(account=owner.account, name="ACME Inc", industry="Tools")
    ContactFactory(account=owner.account, company=other)
    CompanyFactory(account=owner.account, parent=other)
    client = client_for(owner)
    html = client.get(url("companies", survivor.pk, other.pk)).content.decode()
    assert "1 contact" in html and "1 subsidiary" in html
    response = client.post(
        url("companies", survivor.pk, other.pk), {"name": "mine", "domain": "other"}
    )
    assert response["Location"] == f"/companies/{survivor.pk}/"


@pytest.mark.parametrize("method", ["get", "post"])
def test_tenancy_teammate_may_merge_outsider_and_strangers_get_404(
    owner, teammate, outsider, method
):
    survivor, other = pair(owner)
    foreign = ContactFactory(account=outsider.account)
    assert (
        getattr(client_for(outsider), method)(url("contacts", survivor.pk, other.pk)).status_code
        == 404
    )
    assert (
        getattr(client_for(owner), method)(url("contacts", survivor.pk, foreign.pk)).status_code
        == 404
    )
    assert (
        getattr(client_for(owner), method)(url("contacts", survivor.pk, survivor.pk)).status_code
        == 404
    )
    expected = 200 if method == "get" else 302
    assert (
        getattr(client_for(teammate), method)(url("contacts", survivor.pk, other.pk)).status_code
        == expected
    )


def test_an_outsider_cannot_undo_anothers_merge(owner, outsider):
    survivor, other = pair(owner)
    client_for(owner).post(url("contacts", survivor.pk, other.pk), {"title": "mine"})
    response = client_for(outsider).post("/trash/undo/", {"records": f"contact:{other.pk}"})
    assert response.status_code == 404
    assert not Contact.objects.for_account(outsider.account).filter(pk=other.pk).exists()


def test_a_bad_choice_is_a_400(owner):
    survivor, other = pair(owner)
    response = client_for(owner).post(url("contacts", survivor.pk, other.pk), {"title": "both"})
    assert response.status_code == 400
    assert Contact.objects.for_account(owner.account).filter(pk=other.pk).exists()
