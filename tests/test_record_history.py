"""`GET /api/v1/crm/{type}/{id}/history/`: one record's events, newest first."""

import pytest

from events.models import Source
from events.services import EventDraft, event_append, events_append
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
)
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db

RECORDS = {
    "contacts": ("contact", lambda account: ContactFactory(account=account)),
    "companies": ("company", lambda account: CompanyFactory(account=account)),
    "deals": ("deal", lambda account: DealFactory(pipeline__account=account)),
    "activities": ("activity", lambda account: ActivityFactory(account=account)),
    "notes": ("note", lambda account: NoteFactory(account=account)),
}


def append(actor, record_type, record_id, action, **kwargs):
    return event_append(
        account=actor.account,
        by=actor.user,
        source=Source.UI,
        record_type=record_type,
        record_id=record_id,
        action=action,
        **kwargs,
    )


@pytest.mark.parametrize("plural", RECORDS)
def test_a_records_history_is_its_own_events_newest_first(owner, plural):
    record_type, make = RECORDS[plural]
    record, neighbour = make(owner.account), make(owner.account)
    created = append(owner, record_type, record.pk, "created")
    append(owner, record_type, neighbour.pk, "created")
    other_type = "note" if record_type != "note" else "contact"
    append(owner, other_type, record.pk, "created")  # same id, another kind of record
    updated = append(owner, record_type, record.pk, "updated", changes={"x": [1, 2]})

    response = owner.client.get(f"/api/v1/crm/{plural}/{record.pk}/history/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2 and body["next"] is None
    assert [e["id"] for e in body["results"]] == [updated.pk, created.pk]
    assert body["results"][0]["record"] == {"type": record_type, "id": record.pk}
    assert body["results"][0]["changes"] == {"x": [1, 2]}
    assert body["results"][0]["source"] == "ui"


def test_history_is_paginated_like_a_list(owner):
    contact = ContactFactory(account=owner.account)
    events_append(
        account=owner.account,
        by=None,
        source=Source.SYSTEM,
        drafts=[
            EventDraft(
                record_type="contact",
                record_id=contact.pk,
                action="updated",
                changes={"n": [n, n + 1]},
            )
            for n in range(25)
        ],
    )
    url = f"/api/v1/crm/contacts/{contact.pk}/history/"
    first = owner.client.get(url).json()
    assert first["count"] == 25 and len(first["results"]) == 20 and first["next"]
    second = owner.client.get(url, {"page": 2, "page_size": 10}).json()
    assert [e["changes"]["n"][0] for e in second["results"]] == list(range(14, 4, -1))


@pytest.mark.parametrize("plural", RECORDS)
def test_another_accounts_record_has_no_history_to_show(owner, outsider, plural):
    record_type, make = RECORDS[plural]
    record = make(owner.account)
    append(owner, record_type, record.pk, "created")
    response = outsider.client.get(f"/api/v1/crm/{plural}/{record.pk}/history/")
    assert response.status_code == 404
    assert "results" not in response.json()


def test_a_teammate_reads_the_same_history(owner, teammate):
    deal = DealFactory(pipeline__account=owner.account)
    event = append(owner, "deal", deal.pk, "won")
    body = teammate.client.get(f"/api/v1/crm/deals/{deal.pk}/history/").json()
    assert [e["id"] for e in body["results"]] == [event.pk]
    assert body["results"][0]["actor"] == owner.user.pk


def test_a_missing_record_is_a_404_even_with_events_left(owner):
    # No trash yet: a deleted record answers like any missing one.
    contact = ContactFactory(account=owner.account)
    append(owner, "contact", contact.pk, "created")
    contact_id = contact.pk
    contact.delete()
    assert owner.client.get(f"/api/v1/crm/contacts/{contact_id}/history/").status_code == 404


def test_a_records_filters_do_not_apply_to_its_history(owner):
    contact = ContactFactory(account=owner.account, first_name="Ann")
    append(owner, "contact", contact.pk, "created")
    response = owner.client.get(
        f"/api/v1/crm/contacts/{contact.pk}/history/", {"search": "nobody", "ordering": "nonsense"}
    )
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_history_takes_as_many_queries_for_30_events_as_for_3(owner):
    def queries_for(count):
        contact = ContactFactory(account=owner.account)
        events_append(
            account=owner.account,
            by=owner.user,
            source=Source.API,
            drafts=[
                EventDraft(
                    record_type="contact",
                    record_id=contact.pk,
                    action="updated",
                    changes={"n": [n, n + 1]},
                    data={"id": contact.pk},
                )
                for n in range(count)
            ],
        )
        url = f"/api/v1/crm/contacts/{contact.pk}/history/"
        owner.client.get(url)
        with capture_queries() as captured:
            assert owner.client.get(url).status_code == 200
        return captured

    assert_same_count(queries_for(3), queries_for(30))
