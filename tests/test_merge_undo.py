"""Merges of companies in one tree never leave a company its own ancestor, and
restoring a merged-away record undoes its merge (contract, "Duplicates and merge")."""

import pytest
from django.core.exceptions import ValidationError

from companies.models import Company
from companies.services import company_merge
from contacts.models import Contact
from contacts.services import contact_merge, contact_update
from deals.models import Deal
from events.models import Event, Source
from notes.models import Note
from tests.factories import CompanyFactory, ContactFactory, DealFactory, NoteFactory
from trash.services import RestoreConflict, record_restore

pytestmark = pytest.mark.django_db
API = "/api/v1/crm"


def parents(account, *companies) -> list:
    by_id = dict(
        Company.objects.for_account(account)
        .filter(pk__in=[c.pk for c in companies])
        .values_list("pk", "parent_id")
    )
    return [by_id.get(c.pk, "gone") for c in companies]


def assert_no_cycle(account):
    parent = dict(Company.objects.for_account(account).values_list("pk", "parent_id"))
    for start in parent:
        seen, node = set(), start
        while node is not None:
            assert node not in seen, f"cycle through {start}"
            seen.add(node)
            node = parent.get(node)


def merged(owner, survivor, other, prefer_other=()):
    return company_merge(
        company=survivor, other=other, prefer_other=prefer_other, by=owner.user, source=Source.API
    )


# -- ancestry --------------------------------------------------------------------


def test_merging_a_parent_into_its_child_gives_the_child_the_grandparent(owner):
    account = owner.account
    top = CompanyFactory(account=account)
    parent = CompanyFactory(account=account, parent=top)
    child = CompanyFactory(account=account, parent=parent)
    sibling = CompanyFactory(account=account, parent=parent)
    merged(owner, child, parent)
    assert parents(account, child, sibling, parent) == [top.pk, child.pk, "gone"]
    assert_no_cycle(account)


def test_merging_a_root_parent_into_its_child_leaves_the_child_at_the_top(owner):
    account = owner.account
    parent = CompanyFactory(account=account)
    child = CompanyFactory(account=account, parent=parent)
    merged(owner, child, parent, prefer_other=["parent"])
    assert parents(account, child) == [None]


def test_merging_a_child_into_its_parent_does_not_make_the_parent_its_own(owner):
    account = owner.account
    parent = CompanyFactory(account=account)
    child = CompanyFactory(account=account, parent=parent)
    grandchild = CompanyFactory(account=account, parent=child)
    merged(owner, parent, child, prefer_other=["parent"])
    assert parents(account, parent, grandchild) == [None, parent.pk]
    assert_no_cycle(account)


def test_merging_a_grandparent_into_its_grandchild_takes_its_place(owner):
    account = owner.account
    top = CompanyFactory(account=account)
    grandparent = CompanyFactory(account=account, parent=top)
    middle = CompanyFactory(account=account, parent=grandparent)
    grandchild = CompanyFactory(account=account, parent=middle)
    merged(owner, grandchild, grandparent)
    # The survivor's former parent is now its subsidiary (it was the other's): the
    # survivor takes the other's place under `top`.
    assert parents(account, grandchild, middle) == [top.pk, grandchild.pk]
    assert_no_cycle(account)


def test_merging_a_grandchild_into_its_grandparent_ignores_its_parent(owner):
    account = owner.account
    grandparent = CompanyFactory(account=account)
    middle = CompanyFactory(account=account, parent=grandparent)
    grandchild = CompanyFactory(account=account, parent=middle)
    leaf = CompanyFactory(account=account, parent=grandchild)
    merged(owner, grandparent, grandchild)
    assert parents(account, grandparent, middle, leaf) == [None, grandparent.pk, grandparent.pk]
    assert_no_cycle(account)


def test_a_preferred_parent_that_would_close_a_cycle_keeps_the_survivors(owner):
    account = owner.account
    top = CompanyFactory(account=account)
    survivor = CompanyFactory(account=account, parent=top)
    child = CompanyFactory(account=account, parent=survivor)
    other = CompanyFactory(account=account, parent=child)
    merged(owner, survivor, other, prefer_other=["parent"])
    assert parents(account, survivor) == [top.pk]
    assert_no_cycle(account)


def test_unrelated_companies_merge_their_parents_by_the_field_rule(owner):
    account = owner.account
    a_parent, b_parent = CompanyFactory(account=account), CompanyFactory(account=account)
    survivor = CompanyFactory(account=account)
    other = CompanyFactory(account=account, parent=b_parent)
    merged(owner, survivor, other)
    assert parents(account, survivor) == [b_parent.pk]
    survivor2 = CompanyFactory(account=account, parent=a_parent)
    other2 = CompanyFactory(account=account, parent=b_parent)
    merged(owner, survivor2, other2, prefer_other=["parent"])
    assert parents(account, survivor2) == [b_parent.pk]


def test_a_merge_refuses_itself_and_another_accounts_record(owner, outsider):
    company = CompanyFactory(account=owner.account)
    foreign = CompanyFactory(account=outsider.account)
    for other in (company.pk, foreign.pk, foreign, "x"):
        with pytest.raises(ValidationError) as refused:
            merged(owner, company, other)
        assert "other" in refused.value.message_dict


# -- undo --------------------------------------------------------------------------


def test_undoing_a_merge_after_the_survivor_was_edited(owner, pipeline):
    account = owner.account
    survivor = ContactFactory(
        account=account, first_name="Ada", last_name="", email="", title="", phone=""
    )
    other = ContactFactory(
        account=account,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        title="CTO",
    )
    deal = DealFactory(account=account, pipeline=pipeline, contact=other)
    note = NoteFactory(account=account, contact=other)
    own_note = NoteFactory(account=account, contact=survivor)
    contact_merge(contact=survivor, other=other, by=owner.user, source=Source.API)
    fresh = Contact.objects.for_account(account).get(pk=survivor.pk)
    assert (fresh.last_name, fresh.email, fresh.title) == ("Lovelace", "ada@example.com", "CTO")
    contact_update(contact=fresh, by=owner.user, source=Source.UI, data={"title": "CEO"})

    restored = record_restore(
        account=account,
        record_type="contact",
        record_id=other.pk,
        by=owner.user,
        source=Source.UI,
    )

    survivor_now = Contact.objects.for_account(account).get(pk=survivor.pk)
    # The edited field stays; the others the merge changed revert.
    assert (survivor_now.last_name, survivor_now.email, survivor_now.title) == ("", "", "CEO")
    # The email the survivor took is back on the restored contact.
    assert (restored.pk, restored.email, restored.title) == (other.pk, "ada@example.com", "CTO")
    # Its relations come back; the survivor's own stay.
    assert Deal.objects.for_account(account).get(pk=deal.pk).contact_id == other.pk
    assert Note.objects.for_account(account).get(pk=note.pk).contact_id == other.pk
    assert Note.objects.for_account(account).get(pk=own_note.pk).contact_id == survivor.pk
    types = list(
        Event.objects.for_account(account)
        .filter(record_type="contact")
        .order_by("id")
        .values_list("type", "record_id")
    )
    assert types[-2:] == [("contact.updated", survivor.pk), ("contact.restored", other.pk)]


def test_undoing_a_merge_gives_back_tags_and_custom_fields(owner):
    account = owner.account
    survivor = ContactFactory(account=account, custom_fields={"a": 1})
    other = ContactFactory(account=account, custom_fields={"a": 2, "b": "x"})
    owner.client.patch(f"{API}/contacts/{survivor.pk}/", {"tags": ["vip"]}, format="json")
    owner.client.patch(f"{API}/contacts/{other.pk}/", {"tags": ["lead"]}, format="json")
    assert owner.client.post(
        f"{API}/contacts/{survivor.pk}/merge/", {"other": other.pk}, format="json"
    ).json()["custom_fields"] == {"a": 1, "b": "x"}
    response = owner.client.post(f"{API}/trash/contacts/{other.pk}/restore/")
    assert response.status_code == 200
    assert [t["name"] for t in response.json()["tags"]] == ["lead"]
    back = owner.client.get(f"{API}/contacts/{survivor.pk}/").json()
    assert back["custom_fields"] == {"a": 1}
    assert [t["name"] for t in back["tags"]] == ["vip"]


def test_undoing_a_company_merge_puts_the_tree_back(owner):
    account = owner.account
    top = CompanyFactory(account=account)
    parent = CompanyFactory(account=account, parent=top, domain="")
    child = CompanyFactory(account=account, parent=parent, domain="child.example")
    sibling = CompanyFactory(account=account, parent=parent)
    contact = ContactFactory(account=account, company=parent)
    merged(owner, child, parent)
    record_restore(
        account=account,
        record_type="company",
        record_id=parent.pk,
        by=owner.user,
        source=Source.UI,
    )
    assert parents(account, parent, child, sibling) == [top.pk, parent.pk, parent.pk]
    assert Contact.objects.for_account(account).get(pk=contact.pk).company_id == parent.pk
    assert_no_cycle(account)


def test_undo_is_a_409_when_the_email_was_taken_since_and_changes_nothing(owner):
    account = owner.account
    survivor = ContactFactory(account=account, email="a@example.com")
    other = ContactFactory(account=account, email="b@example.com")
    contact_merge(
        contact=survivor, other=other, prefer_other=["email"], by=owner.user, source=Source.API
    )
    fresh = Contact.objects.for_account(account).get(pk=survivor.pk)
    contact_update(contact=fresh, by=owner.user, source=Source.UI, data={"email": "c@example.com"})
    ContactFactory(account=account, email="b@example.com")
    with pytest.raises(RestoreConflict):
        record_restore(
            account=account,
            record_type="contact",
            record_id=other.pk,
            by=owner.user,
            source=Source.UI,
        )
    assert Contact.objects.for_account(account).get(pk=survivor.pk).email == "c@example.com"
