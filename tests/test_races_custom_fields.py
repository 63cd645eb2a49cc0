"""Two writes of custom field definitions at the same instant (PostgreSQL, real
requests in threads released together, several rounds): one key per record type,
whoever wins; and a definition written while records are written keeps its rule."""

import pytest
from django.db import connection

from customfields.models import CustomFieldDefinition
from tests.factories import CustomFieldDefinitionFactory
from tests.races import ROUNDS, own_client, together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
URL = "/api/v1/crm/custom-fields/"


def post(actor, body):
    return lambda: own_client(actor).post(URL, body, format="json").status_code


def test_two_creates_of_one_key_make_one_definition_and_a_400(owner):
    for round_number in range(ROUNDS):
        key = f"score{round_number}"
        answers = together(
            post(owner, {"record_type": "contact", "key": key, "type": "number"}),
            post(owner, {"record_type": "contact", "key": key, "type": "text"}),
        )
        assert sorted(answers) == [201, 400], answers
        assert CustomFieldDefinition.objects.for_account(owner.account).filter(key=key).count() == 1


def patch(actor, url, body):
    return lambda: own_client(actor).patch(url, body, format="json").status_code


def test_concurrent_patches_of_different_fields_both_land(owner):
    for round_number in range(ROUNDS):
        definition = CustomFieldDefinitionFactory(account=owner.account, key=f"k{round_number}")
        url = f"{URL}{definition.pk}/"
        answers = together(
            patch(owner, url, {"label": f"Label {round_number}"}),
            patch(owner, url, {"required": True}),
        )
        assert answers == [200, 200]
        definition.refresh_from_db()
        assert (definition.label, definition.required) == (f"Label {round_number}", True)
