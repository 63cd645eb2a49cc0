"""Timelines of contacts, companies and deals: merged, newest first, constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.services import deal_win
from events.models import Source
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
)

pytestmark = pytest.mark.django_db
T0 = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)


def at(days):
    return T0 + dt.timedelta(days=days)


def test_a_contact_timeline_merges_notes_activities_and_deals_newest_first(owner):
    contact = ContactFactory(account=owner.account)
    note = NoteFactory(
        account=owner.account,
        contact=contact,
        occurred_at=at(3),
        body="<p>Called <b>Ann</b> about pricing</p>",
    )
    task = ActivityFactory(
        account=owner.account, contact=contact, due_at=at(5), subject="Send quote"
    )
    done = ActivityFactory(
        account=owner.account,
        contact=contact,
        due_at=at(1),
        subject="Intro",
        status="completed",
        completed_at=at(2),
    )
    deal = DealFactory(pipeline__account=owner.account, contact=contact, title="Pilot")
    deal_win(deal=deal, by=None, source=Source.SYSTEM)  # closed_at = now: the newest
    ActivityFactory(account=owner.account, subject="Someone else's")  # not linked

    body = owner.client.get(f"/api/v1/crm/contacts/{contact.pk}/timeline/").json()
    assert body["count"] == 4
    rows = [(e["type"], e["id"], e["title"]) for e in body["results"]]
    assert rows == [
        ("deal", deal.pk, "Pilot"),
        ("activity", task.pk, "Send quote"),
        ("note", note.pk, "Called Ann about pricing"),
        ("activity", done.pk, "Intro"),
    ]
    entry = body["results"][1]
    assert entry["at"] == at(5).isoformat().replace("+00:00", "Z")
    assert entry["data"]["subject"] == "Send quote" and entry["data"]["id"] == task.pk
    assert body["results"][0]["data"]["status"] == "won"
    assert set(body) == {"count", "next", "previous", "results"}


def test_an_activity_is_placed_at_completion_else_due_else_creation(owner):
    contact = ContactFactory(account=owner.account)
    undated = ActivityFactory(account=owner.account, contact=contact, subject="undated")
    body = owner.client.get(f"/api/v1/crm/contacts/{contact.pk}/timeline/").json()
    assert body["results"][0]["at"].startswith(undated.created_at.date().isoformat())


def test_a_company_timeline_shows_what_links_to_the_company(owner):
    company = CompanyFactory(account=owner.account)
    NoteFactory(account=owner.account, company=company, occurred_at=at(1))
    DealFactory(pipeline__account=owner.account, company=company)
    NoteFactory(account=owner.account, contact=ContactFactory(account=owner.account))
    body = owner.client.get(f"/api/v1/crm/companies/{company.pk}/timeline/").json()
    assert [e["type"] for e in body["results"]] == ["deal", "note"]


def test_a_deal_timeline_has_notes_and_activities_but_no_deals(owner):
    deal = DealFactory(pipeline__account=owner.account)
    NoteFactory(account=owner.account, deal=deal, occurred_at=at(2))
    ActivityFactory(account=owner.account, deal=deal, due_at=at(1))
    body = owner.client.get(f"/api/v1/crm/deals/{deal.pk}/timeline/").json()
    assert [e["type"] for e in body["results"]] == ["note", "activity"]


def test_timelines_paginate_like_lists(owner):
    contact = ContactFactory(account=owner.account)
    for day in range(25):
        NoteFactory(account=owner.account, contact=contact, occurred_at=at(day))
    url = f"/api/v1/crm/contacts/{contact.pk}/timeline/"
    first = owner.client.get(url).json()
    assert (first["count"], len(first["results"])) == (25, 20)
    second = owner.client.get(first["next"]).json()
    assert len(second["results"]) == 5
    ats = [e["at"] for e in first["results"] + second["results"]]
    assert ats == sorted(ats, reverse=True)
    assert owner.client.get(url, {"page_size": 5}).json()["next"].endswith("page_size=5")


def test_deep_timeline_pages_work_past_the_deferred_join_threshold(owner, monkeypatch):
    """Lists page deep through their ids (lib/paginator.py); a timeline is a UNION,
    which has none to join, so it keeps the plain OFFSET."""
    from lib import paginator

    monkeypatch.setattr(paginator, "DEFERRED_FROM", 2)
    contact = ContactFactory(account=owner.account)
    notes = [
        NoteFactory(account=owner.account, contact=contact, occurred_at=at(day)) for day in range(7)
    ]
    url = f"/api/v1/crm/contacts/{contact.pk}/timeline/"
    response = owner.client.get(url, {"page": 2, "page_size": 3})
    assert response.status_code == 200
    assert [e["id"] for e in response.json()["results"]] == [n.pk for n in notes[3:0:-1]]
    assert response.json()["results"][0]["data"]["body"] == notes[3].body


def test_a_timeline_page_costs_the_same_queries_whatever_the_history(owner):
    contact = ContactFactory(account=owner.account)
    url = f"/api/v1/crm/contacts/{contact.pk}/timeline/"

    def grow(n):
        for i in range(n):
            NoteFactory(account=owner.account, contact=contact, occurred_at=at(i))
            ActivityFactory(account=owner.account, contact=contact, due_at=at(i))
            DealFactory(pipeline__account=owner.account, contact=contact)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert owner.client.get(url, {"page_size": 100}).status_code == 200
        return len(ctx.captured_queries)

    grow(2)
    small = count()
    grow(30)
    assert count() == small <= 8


def test_another_accounts_record_has_no_timeline(owner, outsider):
    contact = ContactFactory(account=owner.account)
    NoteFactory(account=owner.account, contact=contact)
    response = outsider.client.get(f"/api/v1/crm/contacts/{contact.pk}/timeline/")
    assert response.status_code == 404
