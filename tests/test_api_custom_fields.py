"""/api/v1/crm/custom-fields/ (contract, "Custom field definitions"): the definitions'
rules, who may write them, and the values every write of a contact, company or deal
must then fit."""

import pytest

from accounts.models import Membership
from companies.models import Company
from contacts.models import Contact
from customfields.models import CustomFieldDefinition
from deals.models import Deal
from events.models import Event
from tests.conftest import make_actor
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    DealFactory,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/custom-fields/"
CRM = "/api/v1/crm"


@pytest.fixture
def admin(account):
    return make_actor(account, Membership.Role.ADMIN, username="ada")


def define(actor, **body):
    body = {"record_type": "contact", "key": "score", "label": "Score", "type": "number"} | body
    return actor.client.post(URL, body, format="json")


def definitions(actor):
    return CustomFieldDefinition.objects.for_account(actor.account)


# -- the definitions -------------------------------------------------------------


def test_create_answers_201_with_the_contracts_fields(owner):
    response = define(owner, type="select", key="source", options=["web", "referral"])
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {
        "id",
        "record_type",
        "key",
        "label",
        "type",
        "options",
        "required",
        "created_at",
    }
    assert (body["key"], body["type"], body["options"], body["required"]) == (
        "source",
        "select",
        ["web", "referral"],
        False,
    )
    assert owner.client.get(f"{URL}{body['id']}/").json() == body


def test_the_label_defaults_to_the_key_and_options_to_empty(owner):
    body = owner.client.post(
        URL, {"record_type": "deal", "key": "region", "type": "text"}, format="json"
    ).json()
    assert (body["label"], body["options"], body["required"]) == ("region", [], False)


@pytest.mark.parametrize("key", ["", "1abc", "Score", "a-b", "a b", "_a", "a" * 41, "é", None])
def test_a_key_outside_the_format_is_a_400_on_key(owner, key):
    response = define(owner, key=key)
    assert response.status_code == 400
    assert "key" in response.json()
    assert not definitions(owner).exists()


@pytest.mark.parametrize("key", ["a", "a" * 40, "lead_score_2", "x1"])
def test_keys_of_the_format_are_accepted(owner, key):
    assert define(owner, key=key).status_code == 201


def test_a_key_is_unique_per_record_type_in_the_account(owner, outsider):
    assert define(owner).status_code == 201
    again = define(owner, type="text")
    assert again.status_code == 400
    assert "key" in again.json()
    assert define(owner, record_type="deal").status_code == 201
    assert define(outsider).status_code == 201
    assert definitions(owner).count() == 2


def test_a_key_is_fixed_once_created(owner):
    pk = define(owner).json()["id"]
    response = owner.client.patch(f"{URL}{pk}/", {"key": "rating"}, format="json")
    assert response.status_code == 400
    assert "key" in response.json()
    assert definitions(owner).get().key == "score"
    response = owner.client.patch(f"{URL}{pk}/", {"record_type": "deal"}, format="json")
    assert response.status_code == 400
    assert "record_type" in response.json()
    # Sending the key it has changes nothing and is no error.
    same = owner.client.patch(f"{URL}{pk}/", {"key": "score", "label": "Lead score"}, format="json")
    assert same.status_code == 200, same.json()
    assert same.json()["label"] == "Lead score"


@pytest.mark.parametrize(
    ("type", "options"),
    [
        ("select", None),
        ("select", []),
        ("select", ["a", "a"]),
        ("select", ["a", ""]),
        ("select", ["a", 3]),
        ("select", "a,b"),
        ("select", [str(i) for i in range(101)]),
        ("text", ["a"]),
        ("number", ["1"]),
        ("boolean", ["yes", "no"]),
        ("date", ["2026-01-01"]),
    ],
)
def test_options_that_do_not_fit_the_type_are_a_400_on_options(owner, type, options):
    body = {"type": type, "options": options}
    if options is None:
        body.pop("options")
    response = define(owner, **body)
    assert response.status_code == 400, response.json()
    assert "options" in response.json()
    assert not definitions(owner).exists()


def test_a_select_takes_up_to_100_distinct_options(owner):
    options = [f"o{i}" for i in range(100)]
    response = define(owner, type="select", options=options)
    assert response.status_code == 201
    assert response.json()["options"] == options


@pytest.mark.parametrize("options", [[], None])
def test_other_types_take_empty_or_null_options(owner, options):
    response = define(owner, type="text", options=options)
    assert response.status_code == 201
    assert response.json()["options"] == []


def test_a_select_that_becomes_text_drops_its_options(owner):
    pk = define(owner, type="select", options=["a"]).json()["id"]
    body = owner.client.patch(f"{URL}{pk}/", {"type": "text"}, format="json").json()
    assert (body["type"], body["options"]) == ("text", [])
    response = owner.client.patch(f"{URL}{pk}/", {"options": ["x"]}, format="json")
    assert response.status_code == 400
    assert "options" in response.json()


def test_the_list_is_paginated_and_filters_by_record_type(owner):
    define(owner, key="b")
    define(owner, key="a")
    define(owner, key="c", record_type="deal")
    body = owner.client.get(URL).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert [r["key"] for r in body["results"]] == ["a", "b", "c"]
    deals = owner.client.get(URL, {"record_type": "deal"}).json()["results"]
    assert [r["key"] for r in deals] == ["c"]
    assert owner.client.get(URL, {"record_type": "nope"}).status_code == 400


def test_owners_and_admins_write_members_read(owner, admin, teammate):
    pk = define(owner).json()["id"]
    assert define(admin, key="rating").status_code == 201
    assert admin.client.patch(f"{URL}{pk}/", {"label": "L"}, format="json").status_code == 200
    assert teammate.client.get(URL).json()["count"] == 2
    assert teammate.client.get(f"{URL}{pk}/").status_code == 200
    assert define(teammate, key="mine").status_code == 403
    assert teammate.client.patch(f"{URL}{pk}/", {"label": "X"}, format="json").status_code == 403
    assert teammate.client.delete(f"{URL}{pk}/").status_code == 403
    assert definitions(owner).get(pk=pk).label == "L"
    assert admin.client.delete(f"{URL}{pk}/").status_code == 204
    assert not definitions(owner).filter(pk=pk).exists()


def test_another_accounts_definition_is_a_404(owner, outsider):
    pk = define(owner).json()["id"]
    for method in ("get", "patch", "put", "delete"):
        response = getattr(outsider.client, method)(f"{URL}{pk}/", {}, format="json")
        assert response.status_code == 404, method
    assert outsider.client.get(URL).json()["count"] == 0
    assert definitions(owner).filter(pk=pk).exists()


def test_it_is_in_the_openapi_schema(owner):
    schema = owner.client.get("/api/schema/?format=json").json()
    assert {"/api/v1/crm/custom-fields/", "/api/v1/crm/custom-fields/{id}/"} <= set(schema["paths"])
    assert "options" in schema["components"]["schemas"]["CustomFieldDefinition"]["properties"]


# -- values on records -------------------------------------------------------------

TYPES = {
    "text": ({"type": "text"}, ["hello", "x" * 1000, ""], [5, True, "x" * 1001, ["a"], {"a": 1}]),
    "number": ({"type": "number"}, [3, -1.5, 0], ["3", True, False, [3]]),
    "boolean": ({"type": "boolean"}, [True, False], [1, 0, "true", "yes"]),
    "date": ({"type": "date"}, ["2026-02-28"], ["2026-02-30", "28/02/2026", 20260228, "2026-2-8"]),
    "select": (
        {"type": "select", "options": ["web", "referral"]},
        ["web", "referral"],
        ["Web", "ads", 1, ""],
    ),
}


def value_cases(valid: bool):
    return [
        pytest.param(kind, value, id=f"{kind}-{value!r}"[:40])
        for kind, (_definition, good, bad) in TYPES.items()
        for value in (good if valid else bad)
    ]


@pytest.mark.parametrize(("kind", "value"), value_cases(valid=True))
def test_a_value_that_fits_its_type_or_null_is_written(owner, kind, value):
    define(owner, key="field", **TYPES[kind][0])
    for written in (value, None):
        response = owner.client.post(
            f"{CRM}/contacts/",
            {"first_name": "Ada", "custom_fields": {"field": written}},
            format="json",
        )
        assert response.status_code == 201, response.json()
        assert response.json()["custom_fields"] == {"field": written}


@pytest.mark.parametrize(("kind", "value"), value_cases(valid=False))
def test_a_value_of_the_wrong_type_is_a_400_naming_the_key_and_writes_nothing(owner, kind, value):
    define(owner, key="field", **TYPES[kind][0])
    contact = ContactFactory(account=owner.account, custom_fields={"field": None})
    response = owner.client.post(
        f"{CRM}/contacts/", {"first_name": "Ada", "custom_fields": {"field": value}}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"custom_fields"}
    assert "field" in response.json()["custom_fields"][0]
    response = owner.client.patch(
        f"{CRM}/contacts/{contact.pk}/", {"custom_fields": {"field": value}}, format="json"
    )
    assert response.status_code == 400
    assert "field" in response.json()["custom_fields"][0]
    assert list(
        Contact.objects.for_account(owner.account).values_list("custom_fields", flat=True)
    ) == [{"field": None}]


def test_a_required_key_must_be_present_and_not_null_on_create(owner):
    define(owner, key="source", type="select", options=["web"], required=True)
    for custom_fields in ({}, {"source": None}, {"other": 1}):
        response = owner.client.post(
            f"{CRM}/contacts/", {"first_name": "Ada", "custom_fields": custom_fields}, format="json"
        )
        assert response.status_code == 400
        assert "source" in response.json()["custom_fields"][0]
    assert (
        owner.client.post(f"{CRM}/contacts/", {"first_name": "Ada"}, format="json").status_code
        == 400
    )
    assert not Contact.objects.for_account(owner.account).exists()
    created = owner.client.post(
        f"{CRM}/contacts/", {"first_name": "Ada", "custom_fields": {"source": "web"}}, format="json"
    )
    assert created.status_code == 201
    # Required on create only: an update may leave it out or clear it.
    url = f"{CRM}/contacts/{created.json()['id']}/"
    assert owner.client.patch(url, {"title": "CTO"}, format="json").status_code == 200
    cleared = owner.client.patch(url, {"custom_fields": {"source": None}}, format="json")
    assert cleared.status_code == 200


def test_keys_without_a_definition_are_accepted_as_before(owner):
    define(owner)
    response = owner.client.post(
        f"{CRM}/contacts/",
        {"first_name": "Ada", "custom_fields": {"anything": "goes", "n": 1, "b": True}},
        format="json",
    )
    assert response.status_code == 201
    # ...within the shapes the contract always allowed.
    nested = owner.client.post(
        f"{CRM}/contacts/", {"first_name": "Ada", "custom_fields": {"x": [1]}}, format="json"
    )
    assert nested.status_code == 400


def test_values_stored_before_their_definition_stay_until_changed(owner):
    contact = ContactFactory(account=owner.account, custom_fields={"score": "high", "n": 1})
    define(owner)
    url = f"{CRM}/contacts/{contact.pk}/"
    response = owner.client.patch(url, {"custom_fields": {"score": "high", "n": 2}}, format="json")
    assert response.status_code == 200, response.json()
    response = owner.client.patch(url, {"custom_fields": {"score": "low", "n": 2}}, format="json")
    assert response.status_code == 400
    assert "score" in response.json()["custom_fields"][0]


def test_deleting_a_definition_keeps_the_stored_values(owner):
    pk = define(owner).json()["id"]
    contact = ContactFactory(account=owner.account, custom_fields={"score": 7})
    assert owner.client.delete(f"{URL}{pk}/").status_code == 204
    contact.refresh_from_db()
    assert contact.custom_fields == {"score": 7}
    # The key has no definition now: any value is accepted again.
    response = owner.client.patch(
        f"{CRM}/contacts/{contact.pk}/", {"custom_fields": {"score": "seven"}}, format="json"
    )
    assert response.status_code == 200


def test_another_accounts_definitions_never_apply(owner, outsider):
    define(outsider, required=True)
    response = owner.client.post(
        f"{CRM}/contacts/", {"first_name": "Ada", "custom_fields": {"score": "x"}}, format="json"
    )
    assert response.status_code == 201


def test_definitions_apply_to_their_record_type_only(owner, pipeline):
    define(owner, record_type="company", required=True)
    assert (
        owner.client.post(f"{CRM}/contacts/", {"first_name": "A"}, format="json").status_code == 201
    )
    assert (
        owner.client.post(f"{CRM}/companies/", {"name": "Acme"}, format="json").status_code == 400
    )
    company = owner.client.post(
        f"{CRM}/companies/", {"name": "Acme", "custom_fields": {"score": 3}}, format="json"
    )
    assert company.status_code == 201
    bad = owner.client.patch(
        f"{CRM}/companies/{company.json()['id']}/", {"custom_fields": {"score": "3"}}, format="json"
    )
    assert bad.status_code == 400
    assert "score" in bad.json()["custom_fields"][0]
    assert Company.objects.for_account(owner.account).get().custom_fields == {"score": 3}


def test_deals_have_custom_fields_checked_and_recorded(owner, pipeline):
    define(owner, record_type="deal", key="region", type="select", options=["emea", "apac"])
    body = {"title": "Big", "pipeline": pipeline.pk, "custom_fields": {"region": "mars"}}
    response = owner.client.post(f"{CRM}/deals/", body, format="json")
    assert response.status_code == 400
    assert "region" in response.json()["custom_fields"][0]
    assert not Deal.objects.for_account(owner.account).exists()
    response = owner.client.post(
        f"{CRM}/deals/", body | {"custom_fields": {"region": "emea"}}, format="json"
    )
    assert response.status_code == 201
    deal_id = response.json()["id"]
    assert response.json()["custom_fields"] == {"region": "emea"}
    url = f"{CRM}/deals/{deal_id}/"
    assert owner.client.get(url).json()["custom_fields"] == {"region": "emea"}
    updated = owner.client.patch(url, {"custom_fields": {"region": "apac"}}, format="json")
    assert updated.status_code == 200
    bad = owner.client.patch(url, {"custom_fields": {"region": 1}}, format="json")
    assert bad.status_code == 400
    events = list(
        Event.objects.for_account(owner.account)
        .filter(record_type="deal", record_id=deal_id)
        .order_by("id")
    )
    assert [e.action for e in events] == ["created", "updated"]
    assert events[0].data["custom_fields"] == {"region": "emea"}
    assert events[1].changes == {"custom_fields": [{"region": "emea"}, {"region": "apac"}]}
    assert Deal.objects.for_account(owner.account).get().custom_fields == {"region": "apac"}


def test_a_deal_without_custom_fields_has_an_empty_object(owner, pipeline):
    deal = DealFactory(pipeline=pipeline)
    assert owner.client.get(f"{CRM}/deals/{deal.pk}/").json()["custom_fields"] == {}


def test_bulk_import_reports_custom_field_errors_by_row(owner):
    define(owner, key="source", type="select", options=["web"], required=True)
    rows = [
        {"first_name": "A", "custom_fields": {"source": "web"}},
        {"first_name": "B", "custom_fields": {"source": "ads"}},
        {"first_name": "C"},
    ]
    response = owner.client.post(f"{CRM}/contacts/bulk-import/", {"contacts": rows}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], list(e["errors"])) for e in errors] == [
        (1, ["custom_fields"]),
        (2, ["custom_fields"]),
    ]
    assert "source" in errors[1]["errors"]["custom_fields"][0]
    assert not Contact.objects.for_account(owner.account).exists()


def test_bulk_import_updates_check_only_what_they_change(owner):
    ContactFactory(account=owner.account, email="a@x.com", custom_fields={"score": "legacy"})
    define(owner, required=True)
    rows = [{"first_name": "A", "email": "a@x.com", "custom_fields": {"score": "legacy"}}]
    response = owner.client.post(
        f"{CRM}/contacts/bulk-import/", {"contacts": rows, "on_duplicate": "update"}, format="json"
    )
    assert response.status_code == 201, response.json()
    rows[0]["custom_fields"] = {"score": "worse"}
    response = owner.client.post(
        f"{CRM}/contacts/bulk-import/", {"contacts": rows, "on_duplicate": "update"}, format="json"
    )
    assert response.status_code == 400


def test_a_merge_that_would_store_a_wrong_value_is_a_400(owner):
    survivor = ContactFactory(account=owner.account, first_name="Ada", custom_fields={})
    other = ContactFactory(account=owner.account, first_name="Ada", custom_fields={"score": "x"})
    define(owner)
    response = owner.client.post(
        f"{CRM}/contacts/{survivor.pk}/merge/", {"other": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert "score" in response.json()["custom_fields"][0]
    assert Contact.objects.for_account(owner.account).count() == 2
    other.custom_fields = {"score": 4}
    other.save()
    response = owner.client.post(
        f"{CRM}/contacts/{survivor.pk}/merge/", {"other": other.pk}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["custom_fields"] == {"score": 4}


def test_a_company_created_from_a_factory_keeps_any_value():
    """Rows written without a service (fixtures, raw SQL) are not checked: the rule is
    the write path's, so a test or a migration can store anything."""
    company = CompanyFactory(custom_fields={"score": "x"})
    assert company.custom_fields == {"score": "x"}


def test_undoing_a_merge_puts_back_values_a_later_definition_refuses(owner):
    survivor = ContactFactory(
        account=owner.account, first_name="Ada", custom_fields={"score": "high"}
    )
    other = ContactFactory(account=owner.account, first_name="Ada", custom_fields={"score": 5})
    merged = owner.client.post(
        f"{CRM}/contacts/{survivor.pk}/merge/",
        {"other": other.pk, "prefer_other": ["custom_fields"]},
        format="json",
    )
    assert merged.json()["custom_fields"] == {"score": 5}
    define(owner)
    restored = owner.client.post(f"{CRM}/trash/contacts/{other.pk}/restore/")
    assert restored.status_code == 200, restored.json()
    survivor.refresh_from_db()
    assert survivor.custom_fields == {"score": "high"}
