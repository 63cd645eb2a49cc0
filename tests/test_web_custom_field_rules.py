"""The web app's record forms write through the services, which check custom field
values: a rule they refuse (a required field the form does not offer yet, a value of
the wrong type) is a form error on the page, never a 500, and nothing is written."""

import pytest

from companies.models import Company
from contacts.models import Contact
from deals.models import Deal
from tests.factories import ContactFactory, CustomFieldDefinitionFactory
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("record_type", "url", "body", "model"),
    [
        ("contact", "/contacts/new/", {"first_name": "Ada"}, Contact),
        ("company", "/companies/new/", {"name": "Acme"}, Company),
    ],
)
def test_a_required_custom_field_refused_by_the_service_is_a_form_error(
    owner, record_type, url, body, model
):
    CustomFieldDefinitionFactory(
        account=owner.account, record_type=record_type, key="source", required=True
    )
    response = client_for(owner).post(url, body)
    assert response.status_code == 200
    assert "“source” is required." in response.content.decode()
    assert not model.objects.for_account(owner.account).exists()


def test_a_new_deal_missing_a_required_custom_field_is_a_form_error(owner, pipeline):
    CustomFieldDefinitionFactory(
        account=owner.account, record_type="deal", key="region", required=True
    )
    response = client_for(owner).post(
        "/deals/new/", {"title": "Big", "pipeline": pipeline.pk, "value": "10", "currency": "USD"}
    )
    assert response.status_code == 200
    assert "“region” is required." in response.content.decode()
    assert not Deal.objects.for_account(owner.account).exists()


def test_editing_a_record_with_a_legacy_value_still_saves(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada", custom_fields={"n": "x"})
    CustomFieldDefinitionFactory(account=owner.account, key="n", type="number")
    response = client_for(owner).post(
        f"/contacts/{contact.pk}/edit/", {"first_name": "Ida", "owner": owner.user.pk}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.first_name, contact.custom_fields) == ("Ida", {"n": "x"})
