"""Two writes of one contact or company at the same instant (PostgreSQL, real requests
in threads released together by a barrier, several rounds): no acknowledged write is
lost, and each appears in the event log."""

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from companies.models import Company
from contacts.models import Contact
from events.models import Event
from tests.factories import CompanyFactory, ContactFactory
from tests.html_forms import form_data
from tests.races import together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
ROUNDS = 10


def api(actor) -> APIClient:
    """A client of its own per thread (the fixture's is not thread-safe)."""
    client = APIClient()
    client.credentials(**actor.client._credentials)
    return client


def contact_form(html: str) -> dict:
    """What a browser posts from the contact form as it was shown."""
    return form_data(html, "contact-form")


def patch(actor, url, body):
    return lambda: api(actor).patch(url, body, format="json").status_code


def recorded_changes(account, record_type, record_id):
    return [
        e.changes
        for e in Event.objects.for_account(account)
        .filter(record_type=record_type, record_id=record_id)
        .order_by("id")
    ]


def test_concurrent_patches_of_different_contact_fields_both_land(owner, teammate):
    for round_number in range(ROUNDS):
        contact = ContactFactory(account=owner.account, first_name="Ada", title="CTO")
        url = f"/api/v1/crm/contacts/{contact.pk}/"
        answers = together(
            patch(owner, url, {"first_name": f"Ida{round_number}"}),
            patch(teammate, url, {"title": f"CEO{round_number}"}),
        )
        assert answers == [200, 200]
        fresh = Contact.objects.for_account(owner.account).get(pk=contact.pk)
        assert (fresh.first_name, fresh.title) == (f"Ida{round_number}", f"CEO{round_number}")
        assert sorted(map(list, recorded_changes(owner.account, "contact", contact.pk))) == [
            ["first_name"],
            ["title"],
        ]


def test_concurrent_patches_of_different_company_fields_both_land(owner, teammate):
    for round_number in range(ROUNDS):
        company = CompanyFactory(account=owner.account, name="Acme", industry="Steel")
        url = f"/api/v1/crm/companies/{company.pk}/"
        answers = together(
            patch(owner, url, {"name": f"Acme {round_number}"}),
            patch(teammate, url, {"industry": f"Oil {round_number}"}),
        )
        assert answers == [200, 200]
        fresh = Company.objects.for_account(owner.account).get(pk=company.pk)
        assert (fresh.name, fresh.industry) == (f"Acme {round_number}", f"Oil {round_number}")


def test_a_patch_racing_a_tag_change_keeps_both(owner, teammate):
    for round_number in range(ROUNDS):
        contact = ContactFactory(account=owner.account, title="CTO")
        url = f"/api/v1/crm/contacts/{contact.pk}/"

        def tag(url=url):
            return api(teammate).post(f"{url}tags/", {"name": "vip"}, format="json").status_code

        answers = together(patch(owner, url, {"title": f"CEO{round_number}"}), tag)
        assert answers == [200, 200]
        fresh = Contact.objects.for_account(owner.account).get(pk=contact.pk)
        assert fresh.title == f"CEO{round_number}"
        assert [t.name for t in fresh.tags.all()] == ["vip"]
        assert len(recorded_changes(owner.account, "contact", contact.pk)) == 2


def test_the_web_edit_form_racing_an_api_patch_of_another_field_keeps_both(owner, teammate):
    browser = Client()
    browser.force_login(owner.user)
    for round_number in range(ROUNDS):
        contact = ContactFactory(account=owner.account, first_name="Ada", title="CTO")
        edit = f"/contacts/{contact.pk}/edit/"
        shown = contact_form(browser.get(edit).content.decode())

        def save_form(edit=edit, data=shown | {"first_name": f"Ida{round_number}"}):
            client = Client()
            client.force_login(owner.user)
            return client.post(edit, data).status_code

        answers = together(
            save_form,
            patch(teammate, f"/api/v1/crm/contacts/{contact.pk}/", {"title": f"CEO{round_number}"}),
        )
        fresh = Contact.objects.for_account(owner.account).get(pk=contact.pk)
        # The form carries the version it was opened on: when the PATCH lands first the
        # form is refused (the conflict page) rather than saved over it; when the form
        # lands first, the PATCH keeps its name. Either way no acknowledged write is lost.
        assert answers in ([302, 200], [409, 200])
        first_name = f"Ida{round_number}" if answers[0] == 302 else "Ada"
        assert (fresh.first_name, fresh.title) == (first_name, f"CEO{round_number}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_form_without_a_version_racing_an_api_patch_of_another_field_keeps_both(owner, teammate):
    """An old page or a script posts no version: only the fields it changed are written."""
    browser = Client()
    browser.force_login(owner.user)
    for round_number in range(ROUNDS):
        contact = ContactFactory(account=owner.account, first_name="Ada", title="CTO")
        edit = f"/contacts/{contact.pk}/edit/"
        shown = contact_form(browser.get(edit).content.decode())
        del shown["version"]

        def save_form(edit=edit, data=shown | {"first_name": f"Ida{round_number}"}):
            client = Client()
            client.force_login(owner.user)
            return client.post(edit, data).status_code

        answers = together(
            save_form,
            patch(teammate, f"/api/v1/crm/contacts/{contact.pk}/", {"title": f"CEO{round_number}"}),
        )
        assert answers == [302, 200]
        fresh = Contact.objects.for_account(owner.account).get(pk=contact.pk)
        assert (fresh.first_name, fresh.title) == (f"Ida{round_number}", f"CEO{round_number}")
