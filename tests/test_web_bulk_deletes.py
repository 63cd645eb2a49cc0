""" "Delete selected" on the companies and deals lists (web/bulk_delete.py): exactly the
selected records of the account go to the trash, in a constant number of queries, and
one Undo brings them all back with their links."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client

from companies.models import Company
from deals.models import Deal
from events.models import Event
from tests.factories import CompanyFactory, ContactFactory, DealFactory, PipelineFactory
from tests.queries import capture_queries
from tests.test_web_undo import undo_form
from tests.web_client import client_for
from trash.models import TrashedRecord

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class ListPage:
    record_type: str
    url: str
    model: type

    @property
    def delete_url(self) -> str:
        return f"{self.url}delete/"

    def make(self, account, n: int) -> list:
        if self.model is Company:
            return CompanyFactory.create_batch(n, account=account)
        pipeline = PipelineFactory(account=account)
        return DealFactory.create_batch(n, pipeline=pipeline)

    def live_ids(self, account) -> set[int]:
        return set(self.model.objects.for_account(account).values_list("pk", flat=True))


COMPANIES = ListPage("company", "/companies/", Company)
DEALS = ListPage("deal", "/deals/", Deal)
LISTS = [pytest.param(COMPANIES, id="companies"), pytest.param(DEALS, id="deals")]


def trashed_ids(account, record_type) -> set[int]:
    return set(
        TrashedRecord.objects.for_account(account)
        .filter(record_type=record_type)
        .values_list("record_id", flat=True)
    )


@pytest.mark.parametrize("listing", LISTS)
def test_the_list_has_a_checkbox_per_row_and_the_delete_selected_bar(owner, listing):
    record = listing.make(owner.account, 1)[0]
    html = client_for(owner).get(listing.url).text
    assert f'<form id="bulk-form" method="post" action="{listing.delete_url}">' in html
    assert f'name="ids" value="{record.pk}" form="bulk-form"' in html
    assert 'data-select-all="ids"' in html
    assert f'name="next" value="{listing.url}" form="bulk-form"' in html
    assert "Delete selected" in html


@pytest.mark.parametrize("listing", LISTS)
def test_delete_selected_trashes_exactly_those_and_one_undo_restores_them(owner, listing):
    chosen = listing.make(owner.account, 3)
    kept = listing.make(owner.account, 1)[0]
    earlier = listing.make(owner.account, 1)[0]
    client = client_for(owner)
    client.post(f"{listing.url}{earlier.pk}/delete/", follow=True)  # a stale page lists it
    back = f"{listing.url}?sort=name"
    page = client.post(
        listing.delete_url,
        {"ids": [r.pk for r in chosen] + [earlier.pk], "next": back},
        follow=True,
    )
    assert page.redirect_chain == [(back, 302)]
    plural = "companies" if listing is COMPANIES else "deals"
    assert f"Deleted 3 {plural}." in page.text
    assert listing.live_ids(owner.account) == {kept.pk}
    events = Event.objects.for_account(owner.account).filter(type=f"{listing.record_type}.deleted")
    assert events.filter(source="ui").count() == 4

    form = undo_form(page.text)
    expected = sorted(f"{listing.record_type}:{r.pk}" for r in chosen)
    assert sorted(form["fields"]["records"]) == expected
    undone = client.post(form["action"], form["fields"])
    assert undone.url == back
    assert listing.live_ids(owner.account) == {kept.pk, *(r.pk for r in chosen)}
    assert trashed_ids(owner.account, listing.record_type) == {earlier.pk}


def test_undo_of_a_bulk_company_delete_links_their_contacts_and_deals_again(owner, pipeline):
    acme, initech = CompanyFactory.create_batch(2, account=owner.account)
    ann = ContactFactory(account=owner.account, company=acme)
    deal = DealFactory(pipeline=pipeline, company=initech)
    client = client_for(owner)
    page = client.post(COMPANIES.delete_url, {"ids": [acme.pk, initech.pk]}, follow=True)
    ann.refresh_from_db()
    assert ann.company_id is None
    form = undo_form(page.text)
    client.post(form["action"], form["fields"])
    ann.refresh_from_db()
    deal.refresh_from_db()
    assert (ann.company_id, deal.company_id) == (acme.pk, initech.pk)


@pytest.mark.parametrize("listing", LISTS)
def test_a_teammate_may_delete_selected(owner, teammate, listing):
    records = listing.make(owner.account, 2)
    client_for(teammate).post(listing.delete_url, {"ids": [r.pk for r in records]})
    assert listing.live_ids(owner.account) == set()


@pytest.mark.parametrize("listing", LISTS)
def test_another_accounts_ids_delete_nothing(owner, outsider, listing):
    theirs = listing.make(owner.account, 2)
    mine = listing.make(outsider.account, 1)
    client = client_for(outsider)
    page = client.post(listing.delete_url, {"ids": [r.pk for r in theirs + mine]}, follow=True)
    singular = "company" if listing is COMPANIES else "deal"
    assert f"Deleted 1 {singular}." in page.text
    assert undo_form(page.text)["fields"]["records"] == [f"{listing.record_type}:{mine[0].pk}"]
    assert listing.live_ids(owner.account) == {r.pk for r in theirs}
    assert not TrashedRecord.objects.for_account(owner.account).exists()


@pytest.mark.parametrize("listing", LISTS)
@pytest.mark.parametrize("ids", [[], [""], ["abc", "-1", "0", "9" * 30, "²"]])
def test_nothing_selected_says_so_and_deletes_nothing(owner, listing, ids):
    record = listing.make(owner.account, 1)[0]
    page = client_for(owner).post(listing.delete_url, {"ids": ids}, follow=True)
    assert page.status_code == 200
    singular = "company" if listing is COMPANIES else "deal"
    assert f"Select at least one {singular}." in page.text
    assert listing.live_ids(owner.account) == {record.pk}


@pytest.mark.parametrize("listing", LISTS)
@pytest.mark.parametrize("target", ["https://evil.example/", "/contacts/", "//evil.example/"])
def test_delete_selected_returns_only_to_its_own_list(owner, listing, target):
    record = listing.make(owner.account, 1)[0]
    response = client_for(owner).post(listing.delete_url, {"ids": [record.pk], "next": target})
    assert response.url == listing.url


@pytest.mark.parametrize("listing", LISTS)
def test_delete_selected_needs_post_and_csrf(owner, listing):
    record = listing.make(owner.account, 1)[0]
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    assert client.get(listing.delete_url).status_code == 405
    assert client.post(listing.delete_url, {"ids": [record.pk]}).status_code == 403
    assert listing.live_ids(owner.account) == {record.pk}


@pytest.mark.parametrize("listing", LISTS)
def test_delete_selected_costs_the_same_queries_for_2_or_40_records(owner, listing):
    client = client_for(owner)
    client.get(listing.url)  # the session and the account, loaded once

    def run(n):
        ids = [r.pk for r in listing.make(owner.account, n)]
        # Linked rows too: a company's contacts and subsidiaries, a deal's notes.
        for record in listing.model.objects.for_account(owner.account).filter(pk__in=ids):
            if listing is COMPANIES:
                ContactFactory(account=owner.account, company=record)
        with capture_queries() as queries:
            response = client.post(listing.delete_url, {"ids": ids})
        assert response.status_code == 302
        assert trashed_ids(owner.account, listing.record_type) >= set(ids)
        return queries

    small, large = run(2), run(40)
    assert len(small) == len(large), f"Small:\n{small}\nLarge:\n{large}"
    # The service's own: the rows and what links to them, read, unlinked and trashed
    # in one statement each (a company has five kinds of links); the view adds the lock.
    assert len(large) <= 32, large
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in str(query) for query in large), "the rows are locked"
