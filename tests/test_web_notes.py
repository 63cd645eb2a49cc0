"""The notes page: notes and logged emails, calls and SMS, searchable and filtered."""

import datetime as dt

import pytest
from django.test import Client

from tests.factories import CompanyFactory, ContactFactory, DealFactory, NoteFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def page(actor, url="/notes/", **extra) -> str:
    response = client_for(actor).get(url, **extra)
    assert response.status_code == 200
    return response.content.decode()


def note(actor, body, **kwargs):
    return NoteFactory(account=actor.account, body=body, author=actor.user, **kwargs)


def test_it_requires_sign_in():
    assert Client().get("/notes/").status_code == 302


def test_it_lists_notes_newest_first_with_their_record(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada", last_name="Byron")
    now = dt.datetime.now(UTC)
    note(owner, "<p>Older one</p>", occurred_at=now - dt.timedelta(days=2))
    note(
        owner,
        "<p>Newer one</p>",
        occurred_at=now,
        contact=contact,
        kind="call",
        direction="outbound",
    )
    html = page(owner)
    assert html.index("Newer one") < html.index("Older one")
    assert f'href="/contacts/{contact.pk}/"' in html and "Ada Byron" in html
    assert "Call · outbound" in html
    assert "2 notes" in html


def test_times_are_in_the_account_time_zone(owner):
    owner.account.time_zone = "Asia/Kolkata"  # UTC+5:30
    owner.account.save()
    note(owner, "Late call", occurred_at=dt.datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
    assert "Tue 3 Mar, 01:30" in page(owner)


def test_the_sanitised_body_renders_as_html_and_nothing_else(owner):
    note(
        owner,
        "<p>Hello <strong>there</strong><script>alert(1)</script>"
        '<a href="javascript:alert(2)" onclick="x()">link</a></p>',
    )
    html = page(owner)
    assert "<strong>there</strong>" in html
    assert "alert(1)" not in html and "javascript:" not in html and "onclick" not in html


def test_search_matches_every_word_as_a_prefix(owner):
    note(owner, "Discussed pricing for the renewal")
    note(owner, "Pricing only")
    note(owner, "Nothing related")
    html = page(owner, "/notes/?search=pric+renew")
    assert "Discussed pricing" in html
    assert "Pricing only" not in html and "Nothing related" not in html
    assert "1 note matching" in html


def test_it_filters_by_kind(owner):
    note(owner, "An email", kind="email", direction="inbound")
    note(owner, "A plain note")
    html = page(owner, "/notes/?kind=email")
    assert "An email" in html and "A plain note" not in html


def test_an_unknown_kind_is_reported_not_a_crash(owner):
    note(owner, "A plain note")
    html = page(owner, "/notes/?kind=fax")
    assert "Select a valid choice" in html and "A plain note" in html


def test_no_match_explains_how_search_works(owner):
    note(owner, "Something")
    assert "No notes match" in page(owner, "/notes/?search=zzz")


def test_it_paginates(owner):
    for i in range(25):
        note(owner, f"Note {i}")
    html = page(owner, "/notes/?page=2")
    assert "21–25 of 25" in html
    assert page(owner, "/notes/?page=abc")  # a bad page number is page 1


def test_htmx_gets_only_the_results(owner):
    note(owner, "Some words")
    response = client_for(owner).get(
        "/notes/?search=some", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="notes-results"
    )
    html = response.content.decode()
    assert "Some words" in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_another_accounts_notes_never_appear(owner, outsider):
    note(outsider, "Globex secret")
    assert "Globex" not in page(owner)
    assert "Globex" not in page(owner, "/notes/?search=globex")


def test_queries_do_not_grow_with_notes(owner):
    contact = ContactFactory(account=owner.account)
    company = CompanyFactory(account=owner.account)
    client = client_for(owner)

    def grow(n):
        deal = DealFactory(pipeline__account=owner.account)
        for i in range(n):
            note(owner, f"Words {i}", contact=contact)
            note(owner, f"Words {i}", company=company, kind="email", direction="inbound")
            note(owner, f"Words {i}", deal=deal)

    def count(url):
        with capture_queries() as ctx:
            assert client.get(url).status_code == 200
        return ctx

    grow(2)
    small = [count("/notes/"), count("/notes/?search=word&kind=email")]
    grow(20)
    large = [count("/notes/"), count("/notes/?search=word&kind=email")]
    for before, after in zip(small, large, strict=True):
        assert_same_count(before, after, at_most=7)


def test_the_filter_forms_empty_fields_are_no_filter_and_no_error(owner):
    note(owner, "Discussed pricing")
    html = page(owner, "/notes/?search=pric&kind=")
    assert "Discussed pricing" in html and "Select a valid choice" not in html


def test_an_old_link_with_q_still_searches(owner):
    note(owner, "Discussed pricing")
    note(owner, "Nothing related")
    html = page(owner, "/notes/?q=pric")
    assert "Discussed pricing" in html and "Nothing related" not in html
