"""Merging contacts and companies through the API (contract, "Duplicates and merge"):
the fields' rules, tags and custom fields united, every relation moved with its
event, the other in the trash, `merged` on the survivor; the 400s; tenancy."""

import pytest

from activities.models import Activity
from companies.models import Company
from contacts.models import Contact
from deals.models import Deal
from events.models import Event
from notes.models import Note
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
)
from tests.queries import assert_same_count, capture_queries
from trash.models import TrashedRecord

pytestmark = pytest.mark.django_db
API = "/api/v1/crm"


def merge(actor, plural, pk, body, **headers):
    return actor.client.post(f"{API}/{plural}/{pk}/merge/", body, format="json", **headers)


def events_of(account, record_type, record_id):
    return list(
        Event.objects.for_account(account)
        .filter(record_type=record_type, record_id=record_id)
        .order_by("id")
    )


def contact_pair(owner, **other_fields):
    survivor = ContactFactory(
        account=owner.account,
        first_name="Ada",
        last_name="",
        email="ada@example.com",
        phone="",
        title="CTO",
        custom_fields={"tier": "gold", "region": "", "score": None},
    )
    other = ContactFactory(
        account=owner.account,
        **{
            "first_name": "Ada B.",
            "last_name": "Lovelace",
            "email": "ada.l@example.com",
            "phone": "+14155552671",
            "title": "Engineer",
            "custom_fields": {"tier": "silver", "region": "EU", "score": 7, "new": True},
            **other_fields,
        },
    )
    return survivor, other


def test_the_survivors_values_win_and_empty_ones_are_filled_from_the_other(owner):
    survivor, other = contact_pair(owner)
    response = merge(owner, "contacts", survivor.pk, {"other": other.pk})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["id"] == survivor.pk
    assert response["ETag"]
    assert (body["first_name"], body["last_name"], body["email"]) == (
        "Ada",
        "Lovelace",
        "ada@example.com",
    )
    assert (body["phone"], body["title"]) == ("+14155552671", "CTO")
    assert body["custom_fields"] == {"tier": "gold", "region": "EU", "score": 7, "new": True}


def test_prefer_other_takes_the_others_value_when_it_is_not_empty(owner):
    survivor, other = contact_pair(owner, title="")
    response = merge(
        owner,
        "contacts",
        survivor.pk,
        {"other": other.pk, "prefer_other": ["email", "title", "custom_fields"]},
    )
    body = response.json()
    # The other's email is free once it is in the trash: the survivor takes it.
    assert body["email"] == "ada.l@example.com"
    assert body["title"] == "CTO"  # the other's is empty: the survivor's stays
    assert body["custom_fields"] == {"tier": "silver", "region": "EU", "score": 7, "new": True}


def test_tags_are_united(owner):
    survivor, other = contact_pair(owner)
    owner.client.patch(f"{API}/contacts/{survivor.pk}/", {"tags": ["vip", "lead"]}, format="json")
    owner.client.patch(f"{API}/contacts/{other.pk}/", {"tags": ["VIP", "partner"]}, format="json")
    body = merge(owner, "contacts", survivor.pk, {"other": other.pk}).json()
    assert sorted(tag["name"] for tag in body["tags"]) == ["lead", "partner", "vip"]


def test_every_deal_activity_and_note_moves_with_its_event(owner, pipeline):
    survivor, other = contact_pair(owner)
    deals = DealFactory.create_batch(2, account=owner.account, pipeline=pipeline, contact=other)
    activity = ActivityFactory(account=owner.account, contact=other)
    note = NoteFactory(account=owner.account, contact=other)
    kept = NoteFactory(account=owner.account, contact=survivor)
    assert merge(owner, "contacts", survivor.pk, {"other": other.pk}).status_code == 200
    account = owner.account
    assert set(Deal.objects.for_account(account).values_list("contact_id", flat=True)) == {
        survivor.pk
    }
    assert Activity.objects.for_account(account).get(pk=activity.pk).contact_id == survivor.pk
    for pk in (note.pk, kept.pk):
        assert Note.objects.for_account(account).get(pk=pk).contact_id == survivor.pk
    for record_type, pk in [("deal", d.pk) for d in deals] + [
        ("activity", activity.pk),
        ("note", note.pk),
    ]:
        (event,) = events_of(account, record_type, pk)[-1:]
        assert event.type == f"{record_type}.updated"
        assert event.changes["contact"] == [other.pk, survivor.pk]
    assert events_of(account, "note", kept.pk) == []  # not moved: untouched


def test_the_other_goes_to_the_trash_and_the_survivor_records_merged(owner):
    survivor, other = contact_pair(owner)
    merge(owner, "contacts", survivor.pk, {"other": other.pk})
    assert owner.client.get(f"{API}/contacts/{other.pk}/").status_code == 404
    assert not Contact.objects.for_account(owner.account).filter(pk=other.pk).exists()
    entry = TrashedRecord.objects.for_account(owner.account).get(record_id=other.pk)
    assert entry.merge["into"] == survivor.pk
    assert entry.merge["fields"]["last_name"] == ["", "Lovelace"]
    assert events_of(owner.account, "contact", other.pk)[-1].type == "contact.deleted"
    merged = events_of(owner.account, "contact", survivor.pk)[-1]
    assert merged.type == "contact.merged"
    assert merged.changes["merged_from"] == [None, other.pk]
    assert merged.changes["last_name"] == ["", "Lovelace"]
    assert merged.actor_id == owner.user.pk and merged.source == "api"
    trash = owner.client.get(f"{API}/trash/").json()["results"]
    assert [(e["type"], e["id"]) for e in trash] == [("contact", other.pk)]


def test_a_merge_that_changes_no_field_still_records_merged(owner):
    survivor = ContactFactory(account=owner.account, first_name="Ada", last_name="L")
    other = ContactFactory(account=owner.account, first_name="Ada", last_name="L", email="")
    assert merge(owner, "contacts", survivor.pk, {"other": other.pk}).status_code == 200
    merged = events_of(owner.account, "contact", survivor.pk)[-1]
    assert (merged.type, merged.changes) == ("contact.merged", {"merged_from": [None, other.pk]})


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "other"),
        ({"other": "abc"}, "other"),
        ({"other": 1.5}, "other"),
        ({"other": 10**30}, "other"),
        ({"other": None}, "other"),
        ({"other": 0}, "other"),
        ("OTHER", "detail"),
        ({"other": "SELF"}, "other"),
        ({"other": "OTHER", "prefer_other": ["nope"]}, "prefer_other"),
        ({"other": "OTHER", "prefer_other": ["tags"]}, "prefer_other"),
        ({"other": "OTHER", "prefer_other": "email"}, "prefer_other"),
    ],
)
def test_a_bad_merge_is_a_400_and_changes_nothing(owner, body, field):
    survivor, other = contact_pair(owner)
    ids = {"SELF": survivor.pk, "OTHER": other.pk}
    if isinstance(body, dict):
        body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = merge(owner, "contacts", survivor.pk, body)
    assert response.status_code == 400
    assert field in response.json()
    assert Contact.objects.for_account(owner.account).count() == 2
    assert not TrashedRecord.objects.for_account(owner.account).exists()


def test_a_missing_or_trashed_other_is_a_400_on_other(owner):
    survivor, other = contact_pair(owner)
    owner.client.delete(f"{API}/contacts/{other.pk}/")
    response = merge(owner, "contacts", survivor.pk, {"other": other.pk})
    assert response.status_code == 400
    assert "other" in response.json()
    assert merge(owner, "contacts", survivor.pk, {"other": other.pk + 1000}).status_code == 400


def test_tenancy_another_accounts_id_is_a_400_on_other_and_a_404_as_the_record(
    owner, teammate, outsider
):
    survivor, other = contact_pair(owner)
    foreign = ContactFactory(account=outsider.account)
    response = merge(owner, "contacts", survivor.pk, {"other": foreign.pk})
    assert response.status_code == 400 and "other" in response.json()
    assert merge(outsider, "contacts", survivor.pk, {"other": foreign.pk}).status_code == 404
    assert merge(owner, "contacts", foreign.pk, {"other": survivor.pk}).status_code == 404
    assert Contact.objects.for_account(outsider.account).filter(pk=foreign.pk).exists()
    # A teammate of the same account may merge.
    assert merge(teammate, "contacts", survivor.pk, {"other": other.pk}).status_code == 200


def test_if_match_and_idempotency_key_apply_to_a_merge(owner):
    survivor, other = contact_pair(owner)
    etag = owner.client.get(f"{API}/contacts/{survivor.pk}/")["ETag"]
    owner.client.patch(f"{API}/contacts/{survivor.pk}/", {"title": "CEO"}, format="json")
    stale = merge(owner, "contacts", survivor.pk, {"other": other.pk}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert Contact.objects.for_account(owner.account).filter(pk=other.pk).exists()
    etag = owner.client.get(f"{API}/contacts/{survivor.pk}/")["ETag"]
    key = {"HTTP_IDEMPOTENCY_KEY": "merge-1"}
    first = merge(owner, "contacts", survivor.pk, {"other": other.pk}, HTTP_IF_MATCH=etag, **key)
    assert first.status_code == 200
    again = merge(owner, "contacts", survivor.pk, {"other": other.pk}, HTTP_IF_MATCH=etag, **key)
    assert (again.status_code, again.json()) == (200, first.json())
    assert events_of(owner.account, "contact", survivor.pk)[-1].type == "contact.merged"
    assert Event.objects.for_account(owner.account).filter(type="contact.merged").count() == 1


def test_a_merge_costs_the_same_queries_for_few_and_many_items(owner, pipeline):
    def run(items):
        survivor, other = contact_pair(owner, email="")
        survivor.email = ""
        survivor.save()
        DealFactory.create_batch(items, account=owner.account, pipeline=pipeline, contact=other)
        ActivityFactory.create_batch(items, account=owner.account, contact=other)
        NoteFactory.create_batch(items, account=owner.account, contact=other)
        with capture_queries() as queries:
            assert merge(owner, "contacts", survivor.pk, {"other": other.pk}).status_code == 200
        return queries

    assert_same_count(run(1), run(6))


# -- companies -------------------------------------------------------------------


def test_a_company_merge_moves_contacts_subsidiaries_deals_activities_and_notes(owner, pipeline):
    survivor = CompanyFactory(account=owner.account, name="Acme", domain="", industry="")
    other = CompanyFactory(
        account=owner.account, name="ACME Inc", domain="acme.com", industry="Tools"
    )
    contact = ContactFactory(account=owner.account, company=other)
    child = CompanyFactory(account=owner.account, parent=other)
    deal = DealFactory(account=owner.account, pipeline=pipeline, company=other)
    activity = ActivityFactory(account=owner.account, company=other)
    note = NoteFactory(account=owner.account, company=other)
    response = merge(owner, "companies", survivor.pk, {"other": other.pk})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["name"], body["domain"], body["industry"]) == (
        survivor.pk,
        "Acme",
        "acme.com",
        "Tools",
    )
    assert body["contact_count"] == 1
    account = owner.account
    assert Contact.objects.for_account(account).get(pk=contact.pk).company_id == survivor.pk
    assert Company.objects.for_account(account).get(pk=child.pk).parent_id == survivor.pk
    assert Deal.objects.for_account(account).get(pk=deal.pk).company_id == survivor.pk
    assert Activity.objects.for_account(account).get(pk=activity.pk).company_id == survivor.pk
    assert Note.objects.for_account(account).get(pk=note.pk).company_id == survivor.pk
    assert events_of(account, "company", other.pk)[-1].type == "company.deleted"
    assert events_of(account, "company", survivor.pk)[-1].changes["merged_from"] == [
        None,
        other.pk,
    ]
    assert events_of(account, "company", child.pk)[-1].changes["parent"] == [
        other.pk,
        survivor.pk,
    ]


def test_prefer_other_names_only_a_companys_fields(owner):
    survivor = CompanyFactory(account=owner.account)
    other = CompanyFactory(account=owner.account)
    response = merge(
        owner, "companies", survivor.pk, {"other": other.pk, "prefer_other": ["email"]}
    )
    assert response.status_code == 400 and "prefer_other" in response.json()
    response = merge(owner, "companies", survivor.pk, {"other": other.pk, "prefer_other": ["name"]})
    assert response.json()["name"] == other.name


def test_the_schema_documents_the_merge(owner):
    schema = owner.client.get("/api/schema/", {"format": "json"}).json()
    for plural, component in (("contacts", "Contact"), ("companies", "Company")):
        operation = schema["paths"][f"/api/v1/crm/{plural}/{{id}}/merge/"]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body["$ref"].endswith(f"{component}MergeRequest")
        assert operation["responses"]["200"]["content"]["application/json"]["schema"][
            "$ref"
        ].endswith(f"/{component}")
    request = schema["components"]["schemas"]["CompanyMergeRequest"]
    assert request["required"] == ["other"]
