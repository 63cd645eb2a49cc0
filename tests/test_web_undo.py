"""Undo after a delete in the web app: the next page says "Deleted Ann Lee." with an
Undo button (a CSRF-protected POST) that restores what the delete trashed, one record
or a bulk delete's many, and leads back to the record or the list."""

import re

import pytest
from django.test import Client

from contacts.models import Contact
from events.models import Event
from tests.factories import ContactFactory
from tests.web_client import client_for
from trash.models import TrashedRecord

pytestmark = pytest.mark.django_db


def undo_form(html: str) -> dict:
    """The Undo form's action and fields, as a browser would post them."""
    form = re.search(r'<form method="post" action="(/trash/undo/)"[^>]*>(.*?)</form>', html, re.S)
    assert form, "no Undo form on the page"
    fields: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form[2]):
        fields.setdefault(name, []).append(value)
    return {"action": form[1], "fields": fields}


def test_deleting_a_contact_offers_undo_which_brings_it_back_to_its_page(owner):
    ann = ContactFactory(account=owner.account, first_name="Ann", last_name="Lee")
    client = client_for(owner)
    deleted = client.post(f"/contacts/{ann.pk}/delete/", follow=True)
    html = deleted.content.decode()
    assert deleted.redirect_chain == [("/contacts/", 302)]
    assert "Deleted Ann Lee." in html
    assert 'data-dismiss-after="10"' in html and 'role="status"' in html
    form = undo_form(html)
    assert form["fields"]["records"] == [f"contact:{ann.pk}"]
    assert "csrfmiddlewaretoken" in form["fields"]

    undone = client.post(form["action"], form["fields"])
    assert undone.status_code == 302
    assert undone.url == f"/contacts/{ann.pk}/"
    assert Contact.objects.for_account(owner.account).filter(pk=ann.pk).exists()
    assert not TrashedRecord.objects.for_account(owner.account).exists()
    restored = Event.objects.for_account(owner.account).filter(type="contact.restored").get()
    assert (restored.record_id, restored.source) == (ann.pk, "ui")


def test_the_undo_shows_once_then_the_message_is_gone(owner):
    ann = ContactFactory(account=owner.account)
    client = client_for(owner)
    client.post(f"/contacts/{ann.pk}/delete/", follow=True)
    assert "/trash/undo/" not in client.get("/contacts/").content.decode()


def test_the_undo_form_needs_its_csrf_token(owner):
    ann = ContactFactory(account=owner.account)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    page = client.get(f"/contacts/{ann.pk}/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    deleted = client.post(
        f"/contacts/{ann.pk}/delete/", {"csrfmiddlewaretoken": token}, follow=True
    )
    fields = undo_form(deleted.content.decode())["fields"]
    del fields["csrfmiddlewaretoken"]
    assert client.post("/trash/undo/", fields).status_code == 403
    assert not Contact.objects.for_account(owner.account).filter(pk=ann.pk).exists()


def test_a_bulk_delete_offers_undo_of_exactly_those_contacts(owner):
    chosen = ContactFactory.create_batch(3, account=owner.account)
    kept = ContactFactory(account=owner.account)
    earlier = ContactFactory(account=owner.account)
    client = client_for(owner)
    client.post(f"/contacts/{earlier.pk}/delete/", follow=True)  # trashed before
    ids = [c.pk for c in chosen] + [earlier.pk]  # a stale page still lists `earlier`
    page = client.post(
        "/contacts/bulk/",
        {"action": "delete", "ids": ids, "next": "/contacts/?sort=name"},
        follow=True,
    )
    html = page.content.decode()
    assert "Deleted 3 contacts." in html
    form = undo_form(html)
    assert sorted(form["fields"]["records"]) == sorted(f"contact:{c.pk}" for c in chosen)

    undone = client.post(form["action"], form["fields"])
    assert undone.url == "/contacts/?sort=name"
    live = set(Contact.objects.for_account(owner.account).values_list("pk", flat=True))
    assert live == {kept.pk, *(c.pk for c in chosen)}
    assert TrashedRecord.objects.for_account(owner.account).get().record_id == earlier.pk


def test_an_htmx_delete_redirects_the_browser_and_the_next_page_offers_undo(owner):
    ann = ContactFactory(account=owner.account, first_name="Ann", last_name="Lee")
    client = client_for(owner)
    response = client.post(f"/contacts/{ann.pk}/delete/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/contacts/"
    html = client.get("/contacts/").content.decode()
    assert "Deleted Ann Lee." in html and "/trash/undo/" in html


def test_undo_after_the_email_was_taken_says_why_and_keeps_it_in_the_trash(owner):
    ann = ContactFactory(account=owner.account, first_name="Ann", last_name="Lee", email="a@x.io")
    client = client_for(owner)
    form = undo_form(client.post(f"/contacts/{ann.pk}/delete/", follow=True).content.decode())
    other = ContactFactory(account=owner.account, first_name="Bo", last_name="Chen", email="a@x.io")
    page = client.post(form["action"], form["fields"], follow=True)
    assert page.redirect_chain[-1][0] == "/contacts/"
    html = page.content.decode()
    assert "could not be restored" in html
    assert f'its email is used by <a href="/contacts/{other.pk}/">Bo Chen</a>' in html
    assert TrashedRecord.objects.for_account(owner.account).count() == 1


def test_undo_of_something_already_restored_is_a_404(owner):
    ann = ContactFactory(account=owner.account)
    client = client_for(owner)
    form = undo_form(client.post(f"/contacts/{ann.pk}/delete/", follow=True).content.decode())
    assert client.post(form["action"], form["fields"]).status_code == 302
    assert client.post(form["action"], form["fields"]).status_code == 404


def test_a_forged_undo_tag_offers_nothing():
    from django.contrib.messages.storage.base import Message

    from web.undo import undo_of

    assert undo_of(Message(25, "x", extra_tags="undo:widget:1")) is None
    assert undo_of(Message(25, "x", extra_tags="undo:contact:x,,-1")) is None
    assert undo_of(Message(25, "x", extra_tags="undo:contact:3,4")).values == [
        "contact:3",
        "contact:4",
    ]
