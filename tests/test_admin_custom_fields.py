"""The admin's contact, company and deal forms show the account's custom fields as
typed form fields and save them into `custom_fields` through the record's service;
the definitions themselves are edited in the admin too, the key fixed."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from accounts.models import Membership
from companies.models import Company
from contacts.models import Contact
from customfields.models import CustomFieldDefinition
from deals.models import Deal
from events.models import Event
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    CustomFieldDefinitionFactory,
    DealFactory,
    MembershipFactory,
    UserFactory,
)
from tests.html_forms import form_data
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(account):
    user = UserFactory(username="stella", is_staff=True)
    MembershipFactory(account=account, user=user, role=Membership.Role.ADMIN)
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def contact_fields(account):
    CustomFieldDefinitionFactory(
        account=account, key="source", label="Source", type="select", options=["web", "ads"]
    )
    CustomFieldDefinitionFactory(account=account, key="score", label="Score", type="number")
    CustomFieldDefinitionFactory(account=account, key="newsletter", type="boolean")
    CustomFieldDefinitionFactory(account=account, key="renewal", type="date")
    CustomFieldDefinitionFactory(account=account, key="nickname", type="text")


def test_the_contact_change_form_shows_typed_fields_with_the_stored_values(
    staff, account, contact_fields
):
    contact = ContactFactory(
        account=account,
        custom_fields={"source": "web", "score": 7, "newsletter": True, "other": "kept"},
    )
    page = staff.get(f"/admin/contacts/contact/{contact.pk}/change/")
    form = page.context["adminform"].form
    assert {"cf_source", "cf_score", "cf_newsletter", "cf_renewal", "cf_nickname"} <= set(
        form.fields
    )
    # The web app's fields (customfields/form_fields.py), with the admin's widgets.
    assert type(form.fields["cf_score"].widget).__name__ == "NumberInput"
    assert type(form.fields["cf_newsletter"].widget).__name__ == "NullBooleanSelect"
    assert type(form.fields["cf_renewal"].widget).__name__ == "DateInput"
    assert [c[0] for c in form.fields["cf_source"].widget.choices] == ["", "web", "ads"]
    assert form.initial["cf_source"] == "web"
    assert form.initial["cf_score"] == 7
    assert form.initial["custom_fields"] == {"other": "kept"}
    html = page.content.decode()
    assert 'name="cf_renewal"' in html and 'type="date"' in html


def test_posting_the_form_as_shown_changes_nothing(staff, account, contact_fields):
    contact = ContactFactory(account=account, custom_fields={"source": "web", "score": 7})
    url = f"/admin/contacts/contact/{contact.pk}/change/"
    data = form_data(staff.get(url).content.decode(), "contact_form")
    response = staff.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contact.refresh_from_db()
    assert contact.custom_fields == {"source": "web", "score": 7}
    assert not Event.objects.for_account(account).filter(type="contact.updated").exists()


def test_typed_fields_are_saved_into_custom_fields_through_the_service(
    staff, account, contact_fields
):
    contact = ContactFactory(account=account, custom_fields={"source": "web", "other": 1})
    url = f"/admin/contacts/contact/{contact.pk}/change/"
    data = form_data(staff.get(url).content.decode(), "contact_form")
    data |= {
        "cf_source": ["ads"],
        "cf_score": ["2.5"],
        "cf_newsletter": ["true"],
        "cf_renewal": ["2026-05-01"],
        "cf_nickname": ["Ace"],
    }
    response = staff.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    contact.refresh_from_db()
    assert contact.custom_fields == {
        "other": 1,
        "source": "ads",
        "score": 2.5,
        "newsletter": True,
        "renewal": "2026-05-01",
        "nickname": "Ace",
    }
    event = Event.objects.for_account(account).get(type="contact.updated")
    assert (event.source, list(event.changes)) == ("admin", ["custom_fields"])
    # Emptied, a typed field leaves the record; a whole number is stored as one.
    data = form_data(staff.get(url).content.decode(), "contact_form")
    data |= {"cf_nickname": [""], "cf_score": ["3"]}
    assert staff.post(url, data).status_code == 302
    contact.refresh_from_db()
    assert "nickname" not in contact.custom_fields
    assert contact.custom_fields["score"] == 3
    assert type(contact.custom_fields["score"]) is int


def test_the_admin_refuses_a_value_in_the_apis_words_as_the_web_app_does(
    staff, owner, account, contact_fields
):
    """One builder (customfields/form_fields.py) for the admin's and the web app's
    fields: a bad value gets the API's message, naming the key, on every face."""
    api = owner.client.post(
        "/api/v1/crm/contacts/",
        {"first_name": "Ada", "custom_fields": {"renewal": "someday"}},
        format="json",
    ).json()["custom_fields"]
    contact = ContactFactory(account=account, custom_fields={})
    url = f"/admin/contacts/contact/{contact.pk}/change/"
    data = form_data(staff.get(url).content.decode(), "contact_form")
    admin = staff.post(url, data | {"cf_renewal": ["someday"]}).context["adminform"].form
    web = client_for(owner).post("/contacts/new/", {"first_name": "Ada", "cf_renewal": "someday"})
    assert admin.errors["cf_renewal"] == api == web.context["form"].errors["cf_renewal"]


def test_a_boolean_left_unknown_in_the_admin_is_not_stored(staff, account, contact_fields):
    contact = ContactFactory(account=account, custom_fields={})
    url = f"/admin/contacts/contact/{contact.pk}/change/"
    data = form_data(staff.get(url).content.decode(), "contact_form")
    assert staff.post(url, data | {"cf_newsletter": ["unknown"]}).status_code == 302
    contact.refresh_from_db()
    assert "newsletter" not in contact.custom_fields
    assert staff.post(url, data | {"cf_newsletter": ["false"]}).status_code == 302
    contact.refresh_from_db()
    assert contact.custom_fields["newsletter"] is False


def test_a_value_the_definition_refuses_is_a_form_error(staff, account, contact_fields):
    contact = ContactFactory(account=account, custom_fields={})
    url = f"/admin/contacts/contact/{contact.pk}/change/"
    data = form_data(staff.get(url).content.decode(), "contact_form")
    for name, value in [("cf_score", "many"), ("cf_renewal", "someday"), ("cf_source", "tv")]:
        response = staff.post(url, data | {name: [value]})
        assert response.status_code == 200
        assert name in response.context["adminform"].form.errors
    # A defined key typed into the JSON of the other keys is checked too.
    response = staff.post(url, data | {"custom_fields": ['{"score": "many"}']})
    assert response.status_code == 200
    assert "score" in str(response.context["adminform"].form.errors)
    contact.refresh_from_db()
    assert contact.custom_fields == {}


def test_a_required_field_is_required_on_the_add_form(staff, account):
    CustomFieldDefinitionFactory(
        account=account, key="source", type="select", options=["web"], required=True
    )
    add = "/admin/contacts/contact/add/"
    data = form_data(staff.get(add).content.decode(), "contact_form")
    data |= {"account": [str(account.pk)], "first_name": ["Ada"]}
    response = staff.post(add, data)
    assert response.status_code == 200
    assert "cf_source" in response.context["adminform"].form.errors
    assert staff.post(add, data | {"cf_source": ["web"]}).status_code == 302
    contact = Contact.objects.for_account(account).get()
    assert contact.custom_fields == {"source": "web"}
    # Not on a change: the rule is "present on create".
    url = f"/admin/contacts/contact/{contact.pk}/change/"
    data = form_data(staff.get(url).content.decode(), "contact_form")
    assert staff.post(url, data | {"cf_source": [""]}).status_code == 302


def test_a_value_stored_before_its_definition_stays_editable(staff, account, contact_fields):
    contact = ContactFactory(account=account, custom_fields={"score": "high"})
    url = f"/admin/contacts/contact/{contact.pk}/change/"
    page = staff.get(url)
    assert page.context["adminform"].form.initial["custom_fields"] == {"score": "high"}
    data = form_data(page.content.decode(), "contact_form") | {"title": ["CTO"]}
    assert staff.post(url, data).status_code == 302
    contact.refresh_from_db()
    assert (contact.title, contact.custom_fields) == ("CTO", {"score": "high"})


def test_company_and_deal_forms_have_their_own_fields(staff, account, pipeline):
    CustomFieldDefinitionFactory(account=account, record_type="company", key="tier")
    CustomFieldDefinitionFactory(account=account, record_type="deal", key="seats", type="number")
    company = CompanyFactory(account=account)
    url = f"/admin/companies/company/{company.pk}/change/"
    page = staff.get(url)
    assert "cf_tier" in page.context["adminform"].form.fields
    assert "cf_seats" not in page.context["adminform"].form.fields
    data = form_data(page.content.decode(), "company_form") | {"cf_tier": ["gold"]}
    assert staff.post(url, data).status_code == 302
    assert Company.objects.for_account(account).get().custom_fields == {"tier": "gold"}

    deal = DealFactory(pipeline=pipeline)
    url = f"/admin/deals/deal/{deal.pk}/change/"
    data = form_data(staff.get(url).content.decode(), "deal_form")
    response = staff.post(url, data | {"cf_seats": ["many"]})
    assert response.status_code == 200
    response = staff.post(url, data | {"cf_seats": ["12"]})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Deal.objects.for_account(account).get().custom_fields == {"seats": 12}
    event = Event.objects.for_account(account).filter(record_type="deal").latest("id")
    assert event.changes == {"custom_fields": [{}, {"seats": 12}]}


def test_another_accounts_definitions_are_not_shown(staff, account, other_account):
    CustomFieldDefinitionFactory(account=other_account, key="secret")
    contact = ContactFactory(account=account)
    page = staff.get(f"/admin/contacts/contact/{contact.pk}/change/")
    assert "cf_secret" not in page.context["adminform"].form.fields


def test_definitions_are_edited_in_the_admin_with_the_key_fixed(staff, account):
    definition = CustomFieldDefinitionFactory(account=account, key="tier", type="text")
    url = f"/admin/customfields/customfielddefinition/{definition.pk}/change/"
    data = form_data(staff.get(url).content.decode(), "customfielddefinition_form")
    data |= {"type": ["select"], "options": ['["gold", "tin"]'], "label": ["Tier"]}
    assert staff.post(url, data).status_code == 302
    definition = CustomFieldDefinition.objects.for_account(account).get()
    assert (definition.key, definition.type, definition.options) == (
        "tier",
        "select",
        ["gold", "tin"],
    )
    for change in ({"options": ["[]"]}, {"key": ["rank"]}, {"record_type": ["deal"]}):
        response = staff.post(url, data | change)
        assert response.status_code == 200
        assert set(change) <= set(response.context["adminform"].form.errors)
    assert CustomFieldDefinition.objects.for_account(account).get().key == "tier"
