"""Every write to a company or a note, from every face, appends its event with the
right actor, source and changes."""

import pytest
from django.test import Client

from companies.models import Company
from events.models import Event, Source
from notes.models import Note
from tests.factories import CompanyFactory, ContactFactory, NoteFactory, TagFactory
from tests.html_forms import form_data
from tests.test_admin import staff  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def events(account):
    return list(Event.objects.for_account(account).order_by("id"))


def signed_in(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


# -- companies -----------------------------------------------------------------------


def test_company_writes_through_the_api_are_recorded(owner):
    url = "/api/v1/crm/companies/"
    created = owner.client.post(url, {"name": "Acme", "tags": ["b2b"]}, format="json").json()
    owner.client.patch(f"{url}{created['id']}/", {"industry": "Steel"}, format="json")
    owner.client.patch(f"{url}{created['id']}/", {"industry": "Steel"}, format="json")
    owner.client.post(f"{url}{created['id']}/tags/", {"name": "vip"}, format="json")
    owner.client.delete(f"{url}{created['id']}/")
    assert [(e.type, e.changes) for e in events(owner.account)] == [
        ("company.created", {}),
        ("company.updated", {"industry": ["", "Steel"]}),
        ("company.updated", {"tags": [["b2b"], ["b2b", "vip"]]}),
        ("company.deleted", {}),
    ]
    assert events(owner.account)[0].data == created
    assert {(e.source, e.actor_id) for e in events(owner.account)} == {(Source.API, owner.user.pk)}


def test_the_company_form_records_only_what_the_user_changed(owner):
    company = CompanyFactory(account=owner.account, name="Acme", industry="Steel")
    web = signed_in(owner)
    page = web.get(f"/companies/{company.pk}/edit/").content.decode()
    data = form_data(page, "company-form")
    owner.client.patch(f"/api/v1/crm/companies/{company.pk}/", {"industry": "Oil"}, format="json")
    assert (
        web.post(f"/companies/{company.pk}/edit/", data | {"name": "Acme Ltd"}).status_code == 409
    )  # opened before the change: the conflict page
    del data["version"]
    assert (
        web.post(f"/companies/{company.pk}/edit/", data | {"name": "Acme Ltd"}).status_code == 302
    )
    fresh = Company.objects.for_account(owner.account).get(pk=company.pk)
    assert (fresh.name, fresh.industry) == ("Acme Ltd", "Oil")
    last = events(owner.account)[-1]
    assert (last.source, last.changes) == (Source.UI, {"name": ["Acme", "Acme Ltd"]})


def test_a_new_company_from_the_web_app_is_recorded(owner):
    web = signed_in(owner)
    response = web.post("/companies/new/", {"name": "Acme", "tags": "b2b, vip"})
    assert response.status_code == 302
    [event] = events(owner.account)
    assert (event.type, event.source) == ("company.created", Source.UI)
    assert [t["name"] for t in event.data["tags"]] == ["b2b", "vip"]


def test_company_admin_writes_are_recorded(staff, account):  # noqa: F811
    company = CompanyFactory(account=account, name="Acme")
    tag = TagFactory(account=account, name="vip")
    page = staff.get(f"/admin/companies/company/{company.pk}/change/")
    data = form_data(page.content.decode(), "company_form")
    data |= {"name": "Acme Ltd", "tag_links-TOTAL_FORMS": "1", "tag_links-0-tag": str(tag.pk)}
    response = staff.post(f"/admin/companies/company/{company.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    others = [CompanyFactory(account=account) for _ in range(2)]
    staff.post(
        "/admin/companies/company/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in others], "post": "yes"},
    )
    assert [(e.type, e.changes, e.source) for e in events(account)] == [
        ("company.updated", {"name": ["Acme", "Acme Ltd"], "tags": [[], ["vip"]]}, Source.ADMIN),
        ("company.deleted", {}, Source.ADMIN),
        ("company.deleted", {}, Source.ADMIN),
    ]


# -- notes ---------------------------------------------------------------------------


def test_note_writes_through_the_api_are_recorded(owner):
    url = "/api/v1/crm/notes/"
    created = owner.client.post(url, {"body": "<p>Hi</p>"}, format="json").json()
    owner.client.patch(f"{url}{created['id']}/", {"kind": "call"}, format="json")
    owner.client.delete(f"{url}{created['id']}/")
    assert [(e.type, e.changes, e.source) for e in events(owner.account)] == [
        ("note.created", {}, Source.API),
        ("note.updated", {"kind": ["note", "call"]}, Source.API),
        ("note.deleted", {}, Source.API),
    ]
    assert events(owner.account)[0].data["author"] == owner.user.pk


def test_a_note_logged_on_a_timeline_is_recorded_from_the_web_app(owner):
    contact = ContactFactory(account=owner.account)
    web = signed_in(owner)
    response = web.post(
        f"/timeline/contact/{contact.pk}/log/", {"kind": "note", "log-note-body": "Met at the fair"}
    )
    assert response.status_code == 302
    [event] = events(owner.account)
    assert (event.type, event.source, event.actor_id) == ("note.created", Source.UI, owner.user.pk)
    assert event.data["contact"] == contact.pk
    assert Note.objects.for_account(owner.account).get().author_id == owner.user.pk


def test_note_admin_writes_are_recorded(staff, account):  # noqa: F811
    note = NoteFactory(account=account, body="<p>Old</p>")
    page = staff.get(f"/admin/notes/note/{note.pk}/change/")
    data = form_data(page.content.decode(), "note_form") | {"body": "<p>New</p>"}
    response = staff.post(f"/admin/notes/note/{note.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    staff.post(f"/admin/notes/note/{note.pk}/delete/", {"post": "yes"})
    assert [(e.type, e.changes, e.source) for e in events(account)] == [
        ("note.updated", {"body": ["<p>Old</p>", "<p>New</p>"]}, Source.ADMIN),
        ("note.deleted", {}, Source.ADMIN),
    ]
