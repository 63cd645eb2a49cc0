"""ETags on every answer with one record, and If-Match on every write (412)."""

import pytest

from accounts.api.record_writes import if_match_accepts
from accounts.models import Account, Tag
from activities.models import Activity
from companies.models import Company
from contacts.models import Contact
from deals.models import Deal, Pipeline
from lib.versions import etag_of
from notes.models import Note
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
    PipelineFactory,
    TagFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/crm"

RECORDS = {
    "contacts": (ContactFactory, Contact, {"first_name": "Renamed"}),
    "companies": (CompanyFactory, Company, {"name": "Renamed Inc"}),
    "deals": (DealFactory, Deal, {"title": "Renamed deal"}),
    "pipelines": (PipelineFactory, Pipeline, {"name": "Renamed pipeline"}),
    "activities": (ActivityFactory, Activity, {"subject": "Renamed task"}),
    "notes": (NoteFactory, Note, {"body": "<p>Renamed</p>"}),
    "tags": (TagFactory, Tag, {"name": "renamed"}),
}


def make(kind, account):
    factory, _model, _change = RECORDS[kind]
    if kind == "deals":
        return factory(pipeline=PipelineFactory(account=account))
    return factory(account=account)


def fresh(record):
    return type(record).objects.for_account(record.account_id).get(pk=record.pk)


@pytest.mark.parametrize("kind", RECORDS)
def test_a_record_is_answered_with_its_etag(owner, kind):
    record = make(kind, owner.account)
    response = owner.client.get(f"{API}/{kind}/{record.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == etag_of(fresh(record))


@pytest.mark.parametrize("kind", RECORDS)
def test_a_patch_with_the_current_etag_applies_and_answers_the_new_one(owner, kind):
    record = make(kind, owner.account)
    etag = owner.client.get(f"{API}/{kind}/{record.pk}/")["ETag"]
    change = RECORDS[kind][2]
    response = owner.client.patch(
        f"{API}/{kind}/{record.pk}/", change, format="json", HTTP_IF_MATCH=etag
    )
    assert response.status_code == 200, response.json()
    assert response["ETag"] != etag
    assert response["ETag"] == etag_of(fresh(record))


@pytest.mark.parametrize("kind", RECORDS)
def test_a_patch_with_a_stale_etag_is_refused_and_changes_nothing(owner, kind):
    record = make(kind, owner.account)
    stale = owner.client.get(f"{API}/{kind}/{record.pk}/")["ETag"]
    field, value = next(iter(RECORDS[kind][2].items()))
    owner.client.patch(f"{API}/{kind}/{record.pk}/", {field: value}, format="json")
    before = fresh(record)
    response = owner.client.patch(
        f"{API}/{kind}/{record.pk}/", {field: value + " again"}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    assert "detail" in response.json()
    after = fresh(record)
    assert getattr(after, field) == getattr(before, field)
    assert after.updated_at == before.updated_at


@pytest.mark.parametrize("kind", RECORDS)
def test_a_delete_with_a_stale_etag_is_refused_and_keeps_the_record(owner, kind):
    record = make(kind, owner.account)
    stale = etag_of(record)
    owner.client.patch(f"{API}/{kind}/{record.pk}/", RECORDS[kind][2], format="json")
    response = owner.client.delete(f"{API}/{kind}/{record.pk}/", HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert RECORDS[kind][1].objects.for_account(owner.account).filter(pk=record.pk).exists()


def test_a_delete_with_the_current_etag_deletes(owner):
    contact = ContactFactory(account=owner.account)
    response = owner.client.delete(f"{API}/contacts/{contact.pk}/", HTTP_IF_MATCH=etag_of(contact))
    assert response.status_code == 204
    assert not Contact.objects.for_account(owner.account).filter(pk=contact.pk).exists()


def test_a_create_answers_with_the_new_records_etag(owner):
    response = owner.client.post(f"{API}/contacts/", {"first_name": "Ada"}, format="json")
    assert response.status_code == 201
    contact = Contact.objects.for_account(owner.account).get(pk=response.json()["id"])
    assert response["ETag"] == etag_of(contact)


def test_an_action_answers_with_the_records_new_etag(owner):
    deal = DealFactory(pipeline=PipelineFactory(account=owner.account))
    response = owner.client.post(f"{API}/deals/{deal.pk}/win/", HTTP_IF_MATCH=etag_of(deal))
    assert response.status_code == 200
    assert response["ETag"] == etag_of(fresh(deal))


def test_an_action_with_a_stale_etag_is_refused_and_leaves_the_deal_open(owner):
    deal = DealFactory(pipeline=PipelineFactory(account=owner.account))
    stale = etag_of(deal)
    owner.client.patch(f"{API}/deals/{deal.pk}/", {"title": "Changed"}, format="json")
    response = owner.client.post(f"{API}/deals/{deal.pk}/win/", HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert fresh(deal).status == Deal.Status.OPEN


def test_adding_a_tag_with_a_stale_etag_adds_nothing(owner):
    contact = ContactFactory(account=owner.account)
    stale = etag_of(contact)
    owner.client.patch(f"{API}/contacts/{contact.pk}/", {"first_name": "B"}, format="json")
    response = owner.client.post(
        f"{API}/contacts/{contact.pk}/tags/", {"name": "vip"}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    assert not Tag.objects.for_account(owner.account).filter(name="vip").exists()


def test_the_account_carries_an_etag_and_refuses_a_stale_one(owner):
    first = owner.client.get(f"{API}/account/")
    assert first["ETag"] == etag_of(Account.objects.get(pk=owner.account.pk))
    changed = owner.client.patch(
        f"{API}/account/", {"name": "Acme 2"}, format="json", HTTP_IF_MATCH=first["ETag"]
    )
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    refused = owner.client.patch(
        f"{API}/account/", {"name": "Acme 3"}, format="json", HTTP_IF_MATCH=first["ETag"]
    )
    assert refused.status_code == 412
    assert Account.objects.get(pk=owner.account.pk).name == "Acme 2"


def test_a_star_or_a_list_holding_the_current_etag_applies(owner):
    contact = ContactFactory(account=owner.account)
    star = owner.client.patch(
        f"{API}/contacts/{contact.pk}/", {"first_name": "A"}, format="json", HTTP_IF_MATCH="*"
    )
    assert star.status_code == 200
    listed = owner.client.patch(
        f"{API}/contacts/{contact.pk}/",
        {"first_name": "B"},
        format="json",
        HTTP_IF_MATCH=f'"old-1", {star["ETag"]}',
    )
    assert listed.status_code == 200


@pytest.mark.parametrize("header", ["", "garbage", '"unterminated', "W/{etag}", "\x7f"])
def test_a_malformed_or_weak_if_match_is_a_412_not_an_error(owner, header):
    contact = ContactFactory(account=owner.account)
    response = owner.client.patch(
        f"{API}/contacts/{contact.pk}/",
        {"first_name": "X"},
        format="json",
        HTTP_IF_MATCH=header.format(etag=etag_of(contact)),
    )
    assert response.status_code == 412
    assert fresh(contact).first_name == contact.first_name


def test_another_accounts_record_is_a_404_whatever_the_if_match(owner, outsider):
    contact = ContactFactory(account=outsider.account)
    response = owner.client.patch(
        f"{API}/contacts/{contact.pk}/",
        {"first_name": "X"},
        format="json",
        HTTP_IF_MATCH=etag_of(contact),
    )
    assert response.status_code == 404


def test_an_etag_of_one_record_never_matches_another():
    assert not if_match_accepts('"contact-1-100"', '"contact-2-100"')
    assert if_match_accepts('"contact-2-100" , "contact-1-100"', '"contact-1-100"')
    assert not if_match_accepts('W/"contact-1-100"', '"contact-1-100"')
