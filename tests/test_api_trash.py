"""The trash through the API (contract, "Trash and restore"): DELETE keeps the record
for 30 days with the links that pointed at it; the trash lists it; restore brings it
back with its id, fields, tags and links, or answers 404 / 409 and changes nothing."""

import datetime as dt

import pytest

from companies.models import Company
from contacts.models import Contact
from deals.models import Deal
from events.models import Event
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
    StageFactory,
)
from tests.queries import assert_same_count, capture_queries
from trash.models import TrashedRecord

pytestmark = pytest.mark.django_db
API = "/api/v1/crm"


def restore(actor, plural, pk, **headers):
    return actor.client.post(f"{API}/trash/{plural}/{pk}/restore/", **headers)


def test_a_deleted_contact_is_gone_everywhere_and_listed_in_the_trash(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada", last_name="Lovelace")
    assert owner.client.delete(f"{API}/contacts/{contact.pk}/").status_code == 204
    assert owner.client.get(f"{API}/contacts/{contact.pk}/").status_code == 404
    assert owner.client.get(f"{API}/contacts/").json()["count"] == 0
    body = owner.client.get(f"{API}/trash/").json()
    assert body["count"] == 1
    entry = body["results"][0]
    assert set(entry) == {"type", "id", "title", "deleted_at", "deleted_by", "purge_at"}
    assert (entry["type"], entry["id"], entry["title"]) == ("contact", contact.pk, "Ada Lovelace")
    assert entry["deleted_by"] == owner.user.pk
    deleted_at = dt.datetime.fromisoformat(entry["deleted_at"].replace("Z", "+00:00"))
    purge_at = dt.datetime.fromisoformat(entry["purge_at"].replace("Z", "+00:00"))
    assert purge_at - deleted_at == dt.timedelta(days=30)


def test_the_trash_is_newest_first_filtered_by_type_and_titled_per_type(owner, pipeline):
    company = CompanyFactory(account=owner.account, name="Initech")
    deal = DealFactory(account=owner.account, pipeline=pipeline, title="Big one")
    activity = ActivityFactory(account=owner.account, subject="Call back")
    note = NoteFactory(account=owner.account, body="<p>Said <b>yes</b> &amp; more</p>")
    for path in (
        f"companies/{company.pk}",
        f"deals/{deal.pk}",
        f"activities/{activity.pk}",
        f"notes/{note.pk}",
    ):
        assert owner.client.delete(f"{API}/{path}/").status_code == 204
    results = owner.client.get(f"{API}/trash/").json()["results"]
    assert [(e["type"], e["title"]) for e in results] == [
        ("note", "Said yes & more"),
        ("activity", "Call back"),
        ("deal", "Big one"),
        ("company", "Initech"),
    ]
    only = owner.client.get(f"{API}/trash/", {"type": "deal"}).json()["results"]
    assert [e["id"] for e in only] == [deal.pk]
    assert owner.client.get(f"{API}/trash/", {"type": "deals"}).status_code == 400


def test_restore_brings_back_the_same_id_fields_and_tags(owner):
    company = CompanyFactory(account=owner.account)
    created = owner.client.post(
        f"{API}/contacts/",
        {
            "first_name": "Grace",
            "last_name": "Hopper",
            "email": "grace@navy.mil",
            "company": company.pk,
            "custom_fields": {"rank": "admiral"},
            "tags": ["vip", "cobol"],
        },
        format="json",
    ).json()
    before = owner.client.get(f"{API}/contacts/{created['id']}/").json()
    assert owner.client.delete(f"{API}/contacts/{created['id']}/").status_code == 204
    response = restore(owner, "contacts", created["id"])
    assert response.status_code == 200
    assert response["ETag"]
    body = response.json()
    assert {k: v for k, v in body.items() if k not in ("tags", "updated_at")} == {
        k: v for k, v in before.items() if k not in ("tags", "updated_at")
    }
    assert body["updated_at"] > before["updated_at"]  # a write: the version moves
    assert sorted(t["name"] for t in body["tags"]) == ["cobol", "vip"]
    assert owner.client.get(f"{API}/contacts/{created['id']}/").json() == body
    assert owner.client.get(f"{API}/trash/").json()["count"] == 0
    assert restore(owner, "contacts", created["id"]).status_code == 404


def test_restore_is_recorded_and_history_stays_readable_in_the_trash(owner):
    contact = ContactFactory(account=owner.account)
    owner.client.delete(f"{API}/contacts/{contact.pk}/")
    history = owner.client.get(f"{API}/contacts/{contact.pk}/history/")
    assert history.status_code == 200
    assert [e["type"] for e in history.json()["results"]] == ["contact.deleted"]
    restore(owner, "contacts", contact.pk)
    restored = Event.objects.for_account(owner.account).order_by("-id").first()
    assert (restored.type, restored.record_id, restored.actor_id) == (
        "contact.restored",
        contact.pk,
        owner.user.pk,
    )
    assert restored.data["id"] == contact.pk


def test_restore_after_the_email_was_reused_is_409_and_changes_nothing(owner):
    contact = ContactFactory(account=owner.account, email="ann@example.com")
    owner.client.delete(f"{API}/contacts/{contact.pk}/")
    # Free again: another contact takes the email.
    taken = owner.client.post(
        f"{API}/contacts/", {"first_name": "Other", "email": "ANN@example.com"}, format="json"
    )
    assert taken.status_code == 201
    events = Event.objects.for_account(owner.account).count()
    response = restore(owner, "contacts", contact.pk)
    assert response.status_code == 409
    assert "email" in response.json()["detail"]
    assert not Contact.objects.for_account(owner.account).filter(pk=contact.pk).exists()
    assert TrashedRecord.objects.for_account(owner.account).filter(record_id=contact.pk).exists()
    assert Event.objects.for_account(owner.account).count() == events


def test_restore_after_the_domain_was_reused_is_409(owner):
    company = CompanyFactory(account=owner.account, domain="acme.com")
    owner.client.delete(f"{API}/companies/{company.pk}/")
    CompanyFactory(account=owner.account, domain="acme.com")
    assert restore(owner, "companies", company.pk).status_code == 409
    assert not Company.objects.for_account(owner.account).filter(pk=company.pk).exists()


def test_a_company_deleted_with_its_links_comes_back_with_them(owner, pipeline):
    company = CompanyFactory(account=owner.account, name="Parent")
    subsidiary = CompanyFactory(account=owner.account, name="Child", parent=company)
    contacts = ContactFactory.create_batch(2, account=owner.account, company=company)
    deal = DealFactory(account=owner.account, pipeline=pipeline, company=company)
    activity = ActivityFactory(account=owner.account, company=company)
    note = NoteFactory(account=owner.account, company=company)
    elsewhere = CompanyFactory(account=owner.account, name="Elsewhere")
    assert owner.client.delete(f"{API}/companies/{company.pk}/").status_code == 204

    # Deleting cleared the links, each as an `updated` event of the linked record.
    assert not Contact.objects.for_account(owner.account).filter(company__isnull=False).exists()
    unlinked = Event.objects.for_account(owner.account).filter(type__endswith=".updated")
    assert sorted((e.type, e.record_id) for e in unlinked) == sorted(
        [("company.updated", subsidiary.pk)]
        + [("contact.updated", c.pk) for c in contacts]
        + [("deal.updated", deal.pk), ("activity.updated", activity.pk), ("note.updated", note.pk)]
    )
    assert all(list(e.changes) in (["company"], ["parent"]) for e in unlinked)

    # Meanwhile one contact moved elsewhere: it stays there.
    moved = owner.client.patch(
        f"{API}/contacts/{contacts[1].pk}/", {"company": elsewhere.pk}, format="json"
    )
    assert moved.status_code == 200
    assert restore(owner, "companies", company.pk).status_code == 200
    contact_companies = dict(
        Contact.objects.for_account(owner.account).values_list("pk", "company_id")
    )
    assert contact_companies == {contacts[0].pk: company.pk, contacts[1].pk: elsewhere.pk}
    subsidiary.refresh_from_db()
    deal.refresh_from_db()
    activity.refresh_from_db()
    note.refresh_from_db()
    assert subsidiary.parent_id == deal.company_id == activity.company_id == company.pk
    assert note.company_id == company.pk
    relinked = Event.objects.for_account(owner.account).filter(
        type__endswith=".updated", changes__has_key="company"
    )
    assert relinked.filter(changes__company=[None, company.pk]).count() == 4  # contact, deal...


def test_a_record_deleted_along_with_its_parent_keeps_the_link_for_both_restores(owner):
    parent = CompanyFactory(account=owner.account)
    child = CompanyFactory(account=owner.account, parent=parent)
    response = owner.client.delete(f"{API}/companies/{child.pk}/")
    assert response.status_code == 204
    owner.client.delete(f"{API}/companies/{parent.pk}/")
    # The child first: its parent is still in the trash, so it comes back unlinked;
    # the parent's restore then re-links it.
    assert restore(owner, "companies", child.pk).json()["parent"] is None
    assert restore(owner, "companies", parent.pk).status_code == 200
    child.refresh_from_db()
    assert child.parent_id == parent.pk


def test_deleting_a_contact_keeps_its_deals_activities_and_notes_unlinked(owner, pipeline):
    contact = ContactFactory(account=owner.account)
    deal = DealFactory(account=owner.account, pipeline=pipeline, contact=contact)
    note = NoteFactory(account=owner.account, contact=contact)
    owner.client.delete(f"{API}/contacts/{contact.pk}/")
    assert owner.client.get(f"{API}/deals/{deal.pk}/").json()["contact"] is None
    assert owner.client.get(f"{API}/notes/{note.pk}/").json()["contact"] is None
    restore(owner, "contacts", contact.pk)
    assert owner.client.get(f"{API}/deals/{deal.pk}/").json()["contact"] == contact.pk


def test_a_pipeline_or_stage_a_trashed_deal_needs_cannot_be_deleted(owner, pipeline):
    spare = StageFactory(account=owner.account, pipeline=pipeline, name="Spare", position=9)
    deal = DealFactory(account=owner.account, pipeline=pipeline, stage=spare)
    owner.client.delete(f"{API}/deals/{deal.pk}/")
    assert owner.client.delete(f"{API}/pipelines/{pipeline.pk}/").status_code == 409
    stages = owner.client.get(f"{API}/pipelines/{pipeline.pk}/").json()["stages"]
    kept = [
        {"id": s["id"], "name": s["name"], "probability": s["probability"]}
        for s in stages
        if s["id"] != spare.pk
    ]
    response = owner.client.patch(
        f"{API}/pipelines/{pipeline.pk}/", {"stages": kept}, format="json"
    )
    assert response.status_code == 409
    assert "Spare" in response.json()["detail"]
    assert restore(owner, "deals", deal.pk).status_code == 200
    assert Deal.objects.for_account(owner.account).get(pk=deal.pk).stage_id == spare.pk


def test_another_accounts_trash_is_invisible_and_unrestorable(owner, outsider, teammate):
    contact = ContactFactory(account=owner.account)
    owner.client.delete(f"{API}/contacts/{contact.pk}/")
    assert outsider.client.get(f"{API}/trash/").json()["count"] == 0
    assert restore(outsider, "contacts", contact.pk).status_code == 404
    assert outsider.client.get(f"{API}/contacts/{contact.pk}/history/").status_code == 404
    assert restore(owner, "widgets", contact.pk).status_code == 404
    assert restore(owner, "companies", contact.pk).status_code == 404
    # A teammate sees the account's trash and may restore.
    assert teammate.client.get(f"{API}/trash/").json()["count"] == 1
    assert restore(teammate, "contacts", contact.pk).status_code == 200


def test_the_trash_list_costs_the_same_queries_whatever_its_size(owner):
    def delete(n):
        for contact in ContactFactory.create_batch(n, account=owner.account):
            owner.client.delete(f"{API}/contacts/{contact.pk}/")

    def page():
        with capture_queries() as queries:
            assert owner.client.get(f"{API}/trash/").status_code == 200
        return queries

    delete(2)
    small = page()
    delete(8)
    assert_same_count(small, page())


def test_restore_replays_under_an_idempotency_key(owner):
    contact = ContactFactory(account=owner.account)
    owner.client.delete(f"{API}/contacts/{contact.pk}/")
    first = restore(owner, "contacts", contact.pk, HTTP_IDEMPOTENCY_KEY="r-1")
    again = restore(owner, "contacts", contact.pk, HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert Event.objects.for_account(owner.account).filter(type="contact.restored").count() == 1
