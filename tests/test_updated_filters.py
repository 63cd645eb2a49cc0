"""`updated_after`, `updated_before` (both inclusive) and ordering by `updated_at` on
the lists of contacts, companies, deals, activities, notes and pipelines."""

import datetime as dt

import pytest

from activities.models import Activity
from companies.models import Company
from contacts.models import Contact
from deals.models import Deal, Pipeline
from notes.models import Note
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
    PipelineFactory,
)

pytestmark = pytest.mark.django_db
API = "/api/v1/crm"
NOON = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)

LISTS = {
    "contacts": (ContactFactory, Contact),
    "companies": (CompanyFactory, Company),
    "deals": (DealFactory, Deal),
    "activities": (ActivityFactory, Activity),
    "notes": (NoteFactory, Note),
    "pipelines": (PipelineFactory, Pipeline),
}


def records_updated_at(kind, account, hours):
    """One record per offset, its `updated_at` set to NOON plus that many hours."""
    factory, model = LISTS[kind]
    ids = []
    for offset in hours:
        if kind == "deals":
            record = factory(pipeline=PipelineFactory(account=account))
        else:
            record = factory(account=account)
        model.objects.for_account(account).filter(pk=record.pk).update(
            updated_at=NOON + dt.timedelta(hours=offset)
        )
        ids.append(record.pk)
    return ids


def listed_ids(actor, kind, **params):
    response = actor.client.get(f"{API}/{kind}/", {"page_size": 100, **params})
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("kind", LISTS)
def test_updated_after_and_before_select_the_records_updated_in_between(owner, kind):
    early, middle, late = records_updated_at(kind, owner.account, [-2, 0, 2])
    after = set(listed_ids(owner, kind, updated_after=NOON.isoformat()))
    before = set(listed_ids(owner, kind, updated_before=NOON.isoformat()))
    assert middle in after and late in after and early not in after
    assert middle in before and early in before and late not in before
    both = listed_ids(
        owner,
        kind,
        updated_after="2026-03-01T11:00:00Z",
        updated_before="2026-03-01T13:00:00+00:00",
    )
    assert both == [middle]


@pytest.mark.parametrize("kind", LISTS)
def test_a_list_may_be_ordered_by_updated_at_both_ways(owner, kind):
    ids = records_updated_at(kind, owner.account, [1, -1, 0])
    ordered = sorted(ids, key=lambda pk: [1, -1, 0][ids.index(pk)])
    mine = [pk for pk in listed_ids(owner, kind, ordering="updated_at") if pk in ids]
    assert mine == ordered
    mine = [pk for pk in listed_ids(owner, kind, ordering="-updated_at") if pk in ids]
    assert mine == ordered[::-1]


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T00:00:00Z", "99999-01-01"])
def test_a_bad_timestamp_is_a_400_on_its_parameter(owner, kind, value):
    response = owner.client.get(f"{API}/{kind}/", {"updated_after": value})
    assert response.status_code == 400
    assert "updated_after" in response.json()


def test_an_offset_is_read_as_the_moment_it_names(owner):
    (contact,) = records_updated_at("contacts", owner.account, [0])
    assert listed_ids(owner, "contacts", updated_after="2026-03-01T13:00:00+01:00") == [contact]
    assert listed_ids(owner, "contacts", updated_after="2026-03-01T13:00:01+01:00") == []
