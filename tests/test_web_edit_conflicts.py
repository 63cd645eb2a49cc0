"""Edit forms carry the version they were opened on: a save over a newer change is
refused (409, nothing written) and shows that change; "Save my version anyway" then
saves; an unchanged record saves as before."""

import pytest

from contacts.models import Contact
from events.models import Source
from events.services import event_append
from lib.versions import version_of
from tests.factories import CompanyFactory, ContactFactory, DealFactory
from tests.html_forms import form_data
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(owner):
    return client_for(owner)


def opened_form(client, url, form_id):
    """The form as the browser shows it when the user opens the page."""
    response = client.get(url)
    assert response.status_code == 200
    return form_data(response.content.decode(), form_id)


def change_elsewhere(actor, record, record_type, **fields):
    """Another user's write (as the API will make it), with its event."""
    for name, value in fields.items():
        setattr(record, name, value)
    record.save()
    event_append(
        account=actor.account,
        by=actor.user,
        source=Source.API,
        record_type=record_type,
        record_id=record.pk,
        action="updated",
        changes={name: ["", value] for name, value in fields.items()},
        data={"updated_at": record.updated_at.isoformat()},
    )


@pytest.mark.parametrize(
    "factory, url, form_id",
    [
        (ContactFactory, "/contacts/{pk}/edit/", "contact-form"),
        (CompanyFactory, "/companies/{pk}/edit/", "company-form"),
        (DealFactory, "/deals/{pk}/edit/", "deal-form"),
    ],
)
def test_every_edit_form_carries_the_version_it_was_opened_on(web, owner, factory, url, form_id):
    record = factory(account=owner.account)
    data = opened_form(web, url.format(pk=record.pk), form_id)
    assert data["version"] == [version_of(record)]


def test_an_unchanged_record_saves_normally(web, owner):
    contact = ContactFactory(account=owner.account, first_name="Ada")
    data = opened_form(web, f"/contacts/{contact.pk}/edit/", "contact-form")
    data["first_name"] = ["Augusta"]
    response = web.post(f"/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.first_name == "Augusta"


def test_a_save_over_a_newer_change_is_refused_and_shows_that_change(web, owner, teammate):
    teammate.user.first_name, teammate.user.last_name = "Tom", "Teal"
    teammate.user.save()
    contact = ContactFactory(account=owner.account, first_name="Ada", title="")
    data = opened_form(web, f"/contacts/{contact.pk}/edit/", "contact-form")
    change_elsewhere(teammate, contact, "contact", title="Chief Buyer")
    data["first_name"] = ["Augusta"]
    response = web.post(f"/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'role="alert"' in html and "autofocus" in html
    assert "Someone changed this contact while you were editing it" in html
    assert "Tom Teal" in html and "API" in html and "Chief Buyer" in html
    assert "Save my version anyway" in html and "Discard my changes and reload" in html
    stored = Contact.objects.for_account(owner.account).get(pk=contact.pk)
    assert (stored.first_name, stored.title) == ("Ada", "Chief Buyer")  # nothing written


def test_the_conflict_lists_where_my_version_differs_from_the_saved_one(web, owner, teammate):
    contact = ContactFactory(account=owner.account, title="Buyer", last_name="Hopper")
    data = opened_form(web, f"/contacts/{contact.pk}/edit/", "contact-form")
    change_elsewhere(teammate, contact, "contact", title="Chief Buyer", last_name="Murray")
    data["title"] = ["Senior Buyer"]
    response = web.post(f"/contacts/{contact.pk}/edit/", data)
    differences = response.context["conflict"]["differences"]
    assert differences == [{"label": "Job title", "saved": "Chief Buyer", "yours": "Senior Buyer"}]
    # A field I did not touch shows its saved value again, not the stale one.
    again = form_data(response.content.decode(), "contact-form")
    assert again["last_name"] == ["Murray"] and again["title"] == ["Senior Buyer"]


def test_save_my_version_anyway_then_saves(web, owner, teammate):
    contact = ContactFactory(account=owner.account, first_name="Ada")
    data = opened_form(web, f"/contacts/{contact.pk}/edit/", "contact-form")
    change_elsewhere(teammate, contact, "contact", title="Chief Buyer")
    data["first_name"] = ["Augusta"]
    conflict = web.post(f"/contacts/{contact.pk}/edit/", data)
    assert conflict.status_code == 409
    again = form_data(conflict.content.decode(), "contact-form")
    assert again["first_name"] == ["Augusta"]  # my version, kept in the form
    assert again["version"] == [
        version_of(Contact.objects.for_account(owner.account).get(pk=contact.pk))
    ]
    response = web.post(f"/contacts/{contact.pk}/edit/", again)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.first_name == "Augusta"


def test_the_change_that_made_my_version_is_not_shown_as_theirs(web, owner, teammate):
    contact = ContactFactory(account=owner.account)
    change_elsewhere(owner, contact, "contact", title="Mine before I opened")
    data = opened_form(web, f"/contacts/{contact.pk}/edit/", "contact-form")
    change_elsewhere(teammate, contact, "contact", email="their@example.com")
    response = web.post(f"/contacts/{contact.pk}/edit/", data)
    events = response.context["conflict"]["events"]
    assert [event.changes for event in events] == [{"email": ["", "their@example.com"]}]


@pytest.mark.parametrize(
    "factory, url, form_id, field, record_type",
    [
        (CompanyFactory, "/companies/{pk}/edit/", "company-form", "industry", "company"),
        (DealFactory, "/deals/{pk}/edit/", "deal-form", "title", "deal"),
    ],
)
def test_company_and_deal_forms_refuse_to_overwrite_too(
    web, owner, teammate, pipeline, factory, url, form_id, field, record_type
):
    extra = {"pipeline": pipeline} if record_type == "deal" else {}
    record = factory(account=owner.account, **extra)
    data = opened_form(web, url.format(pk=record.pk), form_id)
    change_elsewhere(teammate, record, record_type, **{field: "Changed elsewhere"})
    response = web.post(url.format(pk=record.pk), data)
    assert response.status_code == 409
    assert "Changed elsewhere" in response.content.decode()
    record.refresh_from_db()
    assert getattr(record, field) == "Changed elsewhere"
    again = form_data(response.content.decode(), form_id)
    assert web.post(url.format(pk=record.pk), again).status_code == 302


def test_a_damaged_version_is_a_form_error_not_a_500(web, owner):
    contact = ContactFactory(account=owner.account, first_name="Ada")
    data = opened_form(web, f"/contacts/{contact.pk}/edit/", "contact-form")
    data.update(first_name=["Augusta"], version=["12ab"])
    response = web.post(f"/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 200
    assert "This form is damaged: reload the page." in response.content.decode()
    contact.refresh_from_db()
    assert contact.first_name == "Ada"


def test_a_record_deleted_while_editing_is_a_404(web, owner):
    contact = ContactFactory(account=owner.account)
    data = opened_form(web, f"/contacts/{contact.pk}/edit/", "contact-form")
    Contact.objects.for_account(owner.account).filter(pk=contact.pk).delete()
    assert web.post(f"/contacts/{contact.pk}/edit/", data).status_code == 404
