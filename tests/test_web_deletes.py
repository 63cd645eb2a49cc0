"""Deleting a company, a deal, a note or an activity from the web app: a confirm step,
the record goes to the trash through its app's delete service (source "ui"), and the
next page (or, for a row deleted over htmx, the same page) offers an Undo that brings
it back with its links. Another account's record is a 404 and nothing is deleted;
teammates may delete."""

import json
import re

import pytest
from django.utils import timezone

from activities.models import Activity
from companies.models import Company
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
from tests.test_web_undo import undo_form
from tests.web_client import client_for
from trash.models import TrashedRecord

pytestmark = pytest.mark.django_db


def trashed(account) -> set[tuple[str, int]]:
    return set(TrashedRecord.objects.for_account(account).values_list("record_type", "record_id"))


def deleted_event(account, record_type, pk) -> Event:
    return Event.objects.for_account(account).get(type=f"{record_type}.deleted", record_id=pk)


def htmx(page: str) -> dict:
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": f"http://testserver{page}"}


# Companies


def test_the_company_page_links_to_its_confirm_page_which_says_what_stays(owner):
    acme = CompanyFactory(account=owner.account, name="Acme")
    ContactFactory.create_batch(2, account=owner.account, company=acme)
    CompanyFactory(account=owner.account, parent=acme)
    client = client_for(owner)
    assert f'href="/companies/{acme.pk}/delete/"' in client.get(f"/companies/{acme.pk}/").text
    confirm = client.get(f"/companies/{acme.pk}/delete/")
    assert confirm.status_code == 200
    assert "Delete Acme?" in confirm.text
    assert "2 contacts, 1 subsidiary, 0 deals stay" in confirm.text
    assert f'action="/companies/{acme.pk}/delete/"' in confirm.text
    assert Company.objects.for_account(owner.account).filter(pk=acme.pk).exists()


def test_deleting_a_company_trashes_it_and_undo_links_its_contacts_again(owner):
    acme = CompanyFactory(account=owner.account, name="Acme")
    ann = ContactFactory(account=owner.account, company=acme)
    child = CompanyFactory(account=owner.account, parent=acme)
    client = client_for(owner)
    page = client.post(f"/companies/{acme.pk}/delete/", follow=True)
    assert page.redirect_chain == [("/companies/", 302)]
    assert "Deleted Acme." in page.text
    assert trashed(owner.account) == {("company", acme.pk)}
    assert deleted_event(owner.account, "company", acme.pk).source == "ui"
    ann.refresh_from_db()
    assert ann.company_id is None

    form = undo_form(page.text)
    assert form["fields"]["records"] == [f"company:{acme.pk}"]
    undone = client.post(form["action"], form["fields"])
    assert undone.url == f"/companies/{acme.pk}/"
    ann.refresh_from_db()
    child.refresh_from_db()
    assert (ann.company_id, child.parent_id) == (acme.pk, acme.pk)
    assert trashed(owner.account) == set()


def test_a_teammate_may_delete_a_company(owner, teammate):
    acme = CompanyFactory(account=owner.account)
    response = client_for(teammate).post(f"/companies/{acme.pk}/delete/")
    assert response.status_code == 302
    assert trashed(owner.account) == {("company", acme.pk)}


# Deals


def test_deleting_a_deal_from_its_page_then_undo(owner, pipeline):
    deal = DealFactory(pipeline=pipeline, title="Big one")
    note = NoteFactory(account=owner.account, deal=deal)
    client = client_for(owner)
    assert f'href="/deals/{deal.pk}/delete/"' in client.get(f"/deals/{deal.pk}/").text
    assert "Delete Big one?" in client.get(f"/deals/{deal.pk}/delete/").text
    page = client.post(f"/deals/{deal.pk}/delete/", follow=True)
    assert page.redirect_chain == [("/deals/", 302)]
    assert "Deleted Big one." in page.text
    assert not Deal.objects.for_account(owner.account).filter(pk=deal.pk).exists()
    assert deleted_event(owner.account, "deal", deal.pk).source == "ui"

    form = undo_form(page.text)
    assert client.post(form["action"], form["fields"]).url == f"/deals/{deal.pk}/"
    note.refresh_from_db()
    assert note.deal_id == deal.pk


def test_an_htmx_delete_of_a_deal_redirects_and_the_next_page_offers_undo(owner, pipeline):
    deal = DealFactory(pipeline=pipeline, title="Big one")
    client = client_for(owner)
    response = client.post(f"/deals/{deal.pk}/delete/", **htmx(f"/deals/{deal.pk}/"))
    assert response["HX-Redirect"] == "/deals/"
    html = client.get("/deals/").text
    assert "Deleted Big one." in html and "/trash/undo/" in html


# Notes


def test_the_notes_list_deletes_a_note_in_place_and_offers_undo_on_the_same_page(owner):
    ann = ContactFactory(account=owner.account)
    note = NoteFactory(account=owner.account, contact=ann, body="<p>Call back</p>")
    client = client_for(owner)
    listing = client.get("/notes/").text
    assert f'hx-post="/notes/{note.pk}/delete/"' in listing
    assert 'hx-target="closest li"' in listing

    response = client.post(f"/notes/{note.pk}/delete/", **htmx("/notes/?kind=note"))
    assert response.status_code == 200
    html = response.text
    # Only the out-of-band message: the row is replaced with nothing.
    assert re.fullmatch(r'\s*<div hx-swap-oob="afterbegin:#main">.*</div>\s*', html, re.S)
    assert "Deleted the note." in html
    form = undo_form(html)
    assert form["fields"]["records"] == [f"note:{note.pk}"]
    assert form["fields"]["next"] == ["/notes/?kind=note"]
    assert not Note.objects.for_account(owner.account).filter(pk=note.pk).exists()
    assert deleted_event(owner.account, "note", note.pk).source == "ui"
    assert "Deleted the note." not in client.get("/notes/").text  # shown once

    client.post(form["action"], form["fields"])
    note.refresh_from_db()
    assert note.contact_id == ann.pk


def test_a_note_on_a_timeline_has_its_delete(owner):
    ann = ContactFactory(account=owner.account)
    note = NoteFactory(account=owner.account, contact=ann)
    html = client_for(owner).get(f"/contacts/{ann.pk}/").text
    assert f'hx-post="/notes/{note.pk}/delete/"' in html
    assert f'href="/notes/{note.pk}/delete/?next=/contacts/{ann.pk}/"' in html


def test_without_javascript_a_note_is_deleted_from_its_confirm_page_back_to_next(owner):
    ann = ContactFactory(account=owner.account)
    note = NoteFactory(account=owner.account, contact=ann, body="<p>Call back</p>")
    client = client_for(owner)
    confirm = client.get(f"/notes/{note.pk}/delete/", {"next": f"/contacts/{ann.pk}/"})
    assert "Delete the note “Call back”?" in confirm.text
    assert "restored for 30 days" in confirm.text
    assert f'name="next" value="/contacts/{ann.pk}/"' in confirm.text
    page = client.post(f"/notes/{note.pk}/delete/", {"next": f"/contacts/{ann.pk}/"}, follow=True)
    assert page.redirect_chain == [(f"/contacts/{ann.pk}/", 302)]
    assert "Deleted the note." in page.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "notes"])
def test_a_delete_never_leads_off_the_site(owner, target):
    note = NoteFactory(account=owner.account)
    response = client_for(owner).post(f"/notes/{note.pk}/delete/", {"next": target})
    assert response.url == "/notes/"


def test_an_htmx_delete_from_a_page_of_another_host_offers_undo_back_to_the_list(owner):
    note = NoteFactory(account=owner.account)
    response = client_for(owner).post(
        f"/notes/{note.pk}/delete/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example/notes/",
    )
    assert undo_form(response.text)["fields"]["next"] == ["/notes/"]


# Activities


def test_an_agenda_row_deletes_its_activity_and_refreshes_the_counts(owner):
    task = ActivityFactory(account=owner.account, subject="Send the quote", owner=owner.user)
    client = client_for(owner)
    listing = client.get("/agenda/?tab=upcoming").text + client.get("/agenda/").text
    assert f'hx-post="/agenda/activities/{task.pk}/delete/"' in listing

    response = client.post(f"/agenda/activities/{task.pk}/delete/", **htmx("/agenda/?tab=upcoming"))
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"activity-changed": {"id": task.pk}}
    assert "Deleted “Send the quote”." in response.text
    assert not Activity.objects.for_account(owner.account).filter(pk=task.pk).exists()
    assert deleted_event(owner.account, "activity", task.pk).source == "ui"

    form = undo_form(response.text)
    assert form["fields"]["records"] == [f"activity:{task.pk}"]
    client.post(form["action"], form["fields"])
    assert Activity.objects.for_account(owner.account).filter(pk=task.pk).exists()


def test_a_done_activity_can_be_deleted_too(owner):
    task = ActivityFactory(
        account=owner.account, status=Activity.Status.COMPLETED, completed_at=timezone.now()
    )
    response = client_for(owner).post(f"/agenda/activities/{task.pk}/delete/")
    assert response.url == "/agenda/"
    assert trashed(owner.account) == {("activity", task.pk)}


def test_an_activity_on_a_timeline_has_its_delete(owner):
    ann = ContactFactory(account=owner.account)
    task = ActivityFactory(account=owner.account, contact=ann)
    html = client_for(owner).get(f"/contacts/{ann.pk}/").text
    assert f'hx-post="/agenda/activities/{task.pk}/delete/"' in html


def test_a_teammate_may_delete_an_activity(owner, teammate):
    task = ActivityFactory(account=owner.account)
    client_for(teammate).post(f"/agenda/activities/{task.pk}/delete/")
    assert trashed(owner.account) == {("activity", task.pk)}


# Tenancy


@pytest.mark.parametrize(
    "path",
    [
        "/companies/{company}/delete/",
        "/deals/{deal}/delete/",
        "/notes/{note}/delete/",
        "/agenda/activities/{activity}/delete/",
    ],
)
def test_another_accounts_record_is_a_404_and_stays(owner, outsider, pipeline, path):
    company = CompanyFactory(account=owner.account)
    records = {
        "company": company,
        "deal": DealFactory(pipeline=pipeline, company=company),
        "note": NoteFactory(account=owner.account, company=company),
        "activity": ActivityFactory(account=owner.account, company=company),
    }
    url = path.format(**{name: record.pk for name, record in records.items()})
    client = client_for(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 404
    assert trashed(owner.account) == set()
    events = Event.objects.for_account(owner.account)
    assert not events.filter(type__endswith=".deleted").exists()


def test_deleting_twice_is_a_404_the_second_time(owner):
    acme = CompanyFactory(account=owner.account)
    client = client_for(owner)
    assert client.post(f"/companies/{acme.pk}/delete/").status_code == 302
    assert client.post(f"/companies/{acme.pk}/delete/").status_code == 404
