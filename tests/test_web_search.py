"""Global search: contacts, companies, deals and notes matching every word as a prefix."""

import re

import pytest
from django.test import Client

from tests.factories import (
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
    PipelineFactory,
)
from tests.queries import capture_queries, numbered
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


def page(actor, url) -> str:
    response = client_for(actor).get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_it_requires_sign_in():
    assert Client().get("/search/?q=a").status_code == 302


def test_it_finds_every_kind_grouped(owner):
    contact = ContactFactory(account=owner.account, first_name="Alice", last_name="Smith")
    company = CompanyFactory(account=owner.account, name="Alice Widgets")
    deal = DealFactory(
        pipeline=PipelineFactory(account=owner.account),
        title="Alice renewal",
        value_cents=1_234_567,
        currency="EUR",
    )
    NoteFactory(account=owner.account, body="<p>Alice asked for a demo</p>", deal=deal)
    ContactFactory(account=owner.account, first_name="Bob", last_name="Jones")
    html = page(owner, "/search/?q=ali")
    for heading in ("Contacts", "Companies", "Deals", "Notes"):
        assert f'id="search-{heading.lower()}">{heading}' in html
    assert f'href="/contacts/{contact.pk}/"' in html
    assert f'href="/companies/{company.pk}/"' in html and "<mark>Ali</mark>ce Widgets" in html
    assert f'href="/deals/{deal.pk}/"' in html and "12,345.67 EUR" in html
    assert "<mark>Ali</mark>ce asked for a demo" in html
    assert "Bob" not in html


def test_hits_come_in_each_lists_usual_order(owner):
    ContactFactory(account=owner.account, first_name="Alice", last_name="Zimmer")
    ContactFactory(account=owner.account, first_name="Alice", last_name="Adams")
    html = page(owner, "/search/?q=alice")
    assert html.index("Adams") < html.index("Zimmer")


def test_matching_word_starts_are_highlighted_and_escaped(owner):
    CompanyFactory(account=owner.account, name="<i>Alice</i> & Co")
    html = page(owner, "/search/?q=ali")
    assert "&lt;i&gt;<mark>Ali</mark>ce&lt;/i&gt; &amp; Co" in html


def test_every_word_must_match_as_a_prefix(owner):
    ContactFactory(account=owner.account, first_name="Alice", last_name="Smith")
    ContactFactory(account=owner.account, first_name="Alice", last_name="Jones")
    html = page(owner, "/search/?q=ali+smi")
    assert "<mark>Smi</mark>th" in html and "Jones" not in html


def test_the_header_box_keeps_the_query(owner):
    html = page(owner, "/search/?q=%3Cb%3Eacme")
    assert 'id="global-search" type="search" name="q" placeholder=' in html
    assert 'value="&lt;b&gt;acme"' in html and "<b>acme" not in html


def test_top_five_each_with_a_see_all_link(owner):
    for i in range(7):
        ContactFactory(account=owner.account, first_name=f"Zed{i}", last_name="Zulu")
    pipeline = PipelineFactory(account=owner.account)
    for i in range(6):
        DealFactory(pipeline=pipeline, title=f"Zulu deal {i}")
    html = page(owner, "/search/?q=zulu")
    assert html.count("/contacts/") - html.count('href="/contacts/"') >= 5
    assert 'href="/contacts/?search=zulu"' in html
    assert 'href="/search/?q=zulu&amp;kind=deals"' in html
    assert "5+" in html


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("contacts", lambda account, name: ContactFactory(account=account, first_name=name)),
        ("companies", lambda account, name: CompanyFactory(account=account, name=name)),
        ("notes", lambda account, name: NoteFactory(account=account, body=f"<p>{name}</p>")),
    ],
)
def test_see_all_lands_on_the_list_filtered_by_the_search(owner, kind, make):
    for i in range(6):
        make(owner.account, f"Zulu{i}")
    make(owner.account, "Yankee")
    html = page(owner, "/search/?q=zulu")
    link = re.search(rf'href="(/{kind}/\?[^"]*)"', html)
    assert link is not None, f"no See all link to the {kind} list"
    listed = page(owner, link.group(1).replace("&amp;", "&"))
    assert "Zulu5" in listed and "Yankee" not in listed


def test_see_all_deals_lists_them_all_paginated(owner):
    pipeline = PipelineFactory(account=owner.account)
    for i in range(30):
        DealFactory(pipeline=pipeline, title=f"Zulu deal {i}")
    html = page(owner, "/search/?q=zulu&kind=deals")
    assert "Deals matching “zulu”" in html and "1–25 of 30" in html
    assert "<mark>Zulu</mark> deal" in page(owner, "/search/?q=zulu&kind=deals&page=2")


@pytest.mark.parametrize(
    "query",
    [
        "",
        "q=",
        "q=+++",
        "q=%21%21%21",
        "q=" + "a" * 5000,
        "q=a&kind=bogus",
        "q=a&kind=deals&page=zz",
    ],
)
def test_odd_queries_are_answered_not_crashed(owner, query):
    html = page(owner, f"/search/?{query}")
    assert "Search" in html


def test_search_as_you_type_gets_only_the_results(owner):
    ContactFactory(account=owner.account, first_name="Alice", last_name="Smith")
    response = client_for(owner).get(
        "/search/?q=ali", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    html = response.content.decode()
    assert "<mark>Ali</mark>ce Smith" in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_an_empty_query_explains_what_to_type(owner):
    assert "What are you looking for?" in page(owner, "/search/")


def test_no_results_say_so_per_group(owner):
    html = page(owner, "/search/?q=nothingmatches")
    assert "No contacts match." in html and "No notes match." in html


def test_another_accounts_records_never_appear(owner, outsider):
    ContactFactory(account=outsider.account, first_name="Globex", last_name="Person")
    CompanyFactory(account=outsider.account, name="Globex Corp")
    DealFactory(pipeline=PipelineFactory(account=outsider.account), title="Globex deal")
    NoteFactory(account=outsider.account, body="Globex note")
    html = page(owner, "/search/?q=globex")
    assert "Globex Corp" not in html and "Globex deal" not in html
    assert "Globex note" not in html and "Globex Person" not in html
    for kind in ("contacts", "companies", "deals", "notes"):
        assert "Globex" not in page(owner, f"/search/?q=globex&kind={kind}").replace("“globex”", "")


def test_queries_are_one_per_kind_whatever_the_data(owner):
    client = client_for(owner)

    def grow(n):
        pipeline = PipelineFactory(account=owner.account)
        company = CompanyFactory(account=owner.account, name="Acme main")
        for i in range(n):
            contact = ContactFactory(account=owner.account, first_name=f"Acme{i}", company=company)
            CompanyFactory(account=owner.account, name=f"Acme {i}")
            deal = DealFactory(pipeline=pipeline, title=f"Acme deal {i}", company=company)
            NoteFactory(account=owner.account, body=f"Acme note {i}", contact=contact, deal=deal)

    def count(url):
        with capture_queries() as queries:
            assert client.get(url).status_code == 200
        return queries.sql

    empty = count("/search/")
    grow(1)
    small = count("/search/?q=acme")
    grow(12)
    large = count("/search/?q=acme")
    assert len(small) == len(large) == len(empty) + 4, numbered(large)
    small_deals = count("/search/?q=acme&kind=deals")
    grow(5)
    assert len(count("/search/?q=acme&kind=deals")) == len(small_deals)
