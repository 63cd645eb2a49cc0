"""Malformed, mistyped, oversized and hostile input: always a precise 4xx, never a 500,
and never a half-written change.

Each test checks the exact status, that the body names what is wrong, and (for writes)
that no row of any account changed. Where the contract is silent, DRF's default is the
expectation, and the test says so.
"""

import json
from contextlib import contextmanager

import pytest
from rest_framework.test import APIClient

from accounts.models import Tag
from contacts.models import Contact, ContactTag
from deals.models import Stage
from tests.factories import ContactFactory, ContactTagFactory, PipelineFactory, TagFactory

pytestmark = pytest.mark.django_db

CONTACTS = "/api/v1/crm/contacts/"
BULK = "/api/v1/crm/contacts/bulk-import/"
TAGS = "/api/v1/crm/tags/"
TOKEN = "/api/v1/auth/token/"


# -- helpers --------------------------------------------------------------------------


def _all_rows():
    """Every CRM row of every account, with every column (a change anywhere shows)."""
    return {
        model.__name__: list(model.objects.dangerously_unscoped().order_by("pk").values())
        for model in (Contact, Tag, ContactTag)
    }


@contextmanager
def nothing_written():
    before = _all_rows()
    yield
    assert _all_rows() == before


def send_raw(actor, path, body, method="post", content_type="application/json"):
    """Send `body` (str or bytes) exactly as given."""
    return getattr(actor.client, method)(path, data=body, content_type=content_type)


def send_json(actor, path, payload, method="post"):
    return getattr(actor.client, method)(path, payload, format="json")


@pytest.fixture
def contact(owner):
    return ContactFactory(account=owner.account, owner=owner.user, first_name="Ann")


def field_errors(response):
    body = response.json()
    assert isinstance(body, dict), body
    return body


# -- malformed bodies -------------------------------------------------------------------


def test_malformed_json_is_a_400(owner):
    with nothing_written():
        response = send_raw(owner, CONTACTS, '{"first_name": "Ann",')
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


@pytest.mark.parametrize(
    ("body", "type_name"), [('[{"first_name": "Ann"}]', "list"), ('"Ann"', "str"), ("42", "int")]
)
def test_json_that_is_not_an_object_is_a_400(owner, body, type_name):
    with nothing_written():
        response = send_raw(owner, CONTACTS, body)
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Invalid data. Expected a dictionary, but got {type_name}."
    }


@pytest.mark.parametrize("path", ["contacts", "contact_tags", "bulk", "tags", "account"])
def test_a_list_body_is_a_400_on_every_write(owner, contact, path):
    url, method = {
        "contacts": (f"{CONTACTS}{contact.pk}/", "patch"),
        "contact_tags": (f"{CONTACTS}{contact.pk}/tags/", "post"),
        "bulk": (BULK, "post"),
        "tags": (TAGS, "post"),
        "account": ("/api/v1/crm/account/", "patch"),
    }[path]
    with nothing_written():
        response = send_raw(owner, url, '[{"name": "vip"}]', method=method)
    assert response.status_code == 400
    assert "Expected a dictionary, but got list" in response.json()["detail"]


def test_a_body_that_is_not_json_is_a_415(owner):
    with nothing_written():
        response = send_raw(
            owner, CONTACTS, "first_name=Ann", content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]


def test_a_body_that_is_not_utf8_is_a_400(owner):
    with nothing_written():
        response = send_raw(owner, CONTACTS, b'{"first_name": "\xff\xfe"}')
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_deeply_nested_json_is_a_400(owner):
    depth = 100_000  # 200 kB, well under the size limit, far beyond Python's recursion limit
    body = '{"first_name": "Ann", "custom_fields": {"a": ' + "[" * depth + "]" * depth + "}}"
    with nothing_written():
        response = send_raw(owner, CONTACTS, body)
    assert response.status_code == 400
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("length", ["abc", "1e3", " "])
def test_a_non_numeric_content_length_is_a_400(owner, length):
    with nothing_written():
        response = owner.client.post(
            CONTACTS,
            data='{"first_name": "Ann"}',
            content_type="application/json",
            CONTENT_LENGTH=length,
        )
    assert response.status_code == 400
    assert "Content-Length" in response.json()["detail"]


def test_a_10_mb_body_is_a_413(owner):
    body = json.dumps({"first_name": "Ann", "title": "x" * (10 * 1024 * 1024)})
    with nothing_written():
        response = send_raw(owner, CONTACTS, body)
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]


def test_unknown_fields_are_ignored(owner):
    response = send_json(owner, CONTACTS, {"first_name": "Ann", "shoe_size": 44, "account": 999})
    assert response.status_code == 201
    assert "shoe_size" not in response.json()
    assert Contact.objects.for_account(owner.account).get().first_name == "Ann"


def test_read_only_fields_are_ignored(owner):
    response = send_json(
        owner, CONTACTS, {"first_name": "Ann", "id": 999_999, "created_at": "2000-01-01T00:00:00Z"}
    )
    assert response.status_code == 201
    assert response.json()["id"] != 999_999
    assert not response.json()["created_at"].startswith("2000")


# -- wrong types ------------------------------------------------------------------------


def test_first_name_as_a_number_is_coerced_to_text(owner):
    # The contract is silent; DRF's CharField accepts a number and stores its text.
    response = send_json(owner, CONTACTS, {"first_name": 42})
    assert response.status_code == 201
    assert response.json()["first_name"] == "42"


@pytest.mark.parametrize("value", [{"a": 1}, ["Ann"], True, None])
def test_first_name_of_another_type_is_a_400(owner, value):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": value})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"first_name"}


def test_tags_as_a_string_is_a_400(owner):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "tags": "vip"})
    assert response.status_code == 400
    assert response.json() == {"tags": ["Expected a list of tag names."]}


@pytest.mark.parametrize("bad_tag", [1, None, {"name": "vip"}, ["vip"], "", "   ", "x" * 51])
def test_tags_with_a_bad_item_is_a_400(owner, bad_tag):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "tags": ["ok", bad_tag]})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"tags"}


def test_custom_fields_as_a_list_is_a_400(owner):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "custom_fields": [1, 2]})
    assert response.status_code == 400
    assert "JSON object" in response.json()["custom_fields"][0]


@pytest.mark.parametrize("value", [{"b": 1}, [1, 2]])
def test_custom_fields_with_a_nested_value_is_a_400(owner, value):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "custom_fields": {"a": value}})
    assert response.status_code == 400
    assert "“a”" in response.json()["custom_fields"][0]


@pytest.mark.parametrize("owner_value", ["abc", True, False, [1], {"id": 1}])
def test_owner_of_the_wrong_type_is_a_400(owner, owner_value):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "owner": owner_value})
    assert response.status_code == 400
    assert "Incorrect type" in response.json()["owner"][0]


@pytest.mark.parametrize("owner_value", ["³", "①", "-1", " 1 2 "])
def test_owner_as_text_that_is_not_ascii_digits_is_a_400(owner, owner_value):
    # "³" and "①" pass str.isdigit() but not int().
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "owner": owner_value})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"owner"}


def test_owner_as_a_fraction_is_a_400(owner):
    # IDs are integers: 7.5 must not be read as user 7.
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "owner": owner.user.pk + 0.5})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"owner"}


def test_invalid_patch_changes_nothing(owner, contact):
    TagFactory(account=owner.account, name="vip")
    with nothing_written():
        response = send_json(
            owner,
            f"{CONTACTS}{contact.pk}/",
            {"first_name": "Bob", "tags": ["vip"], "custom_fields": [1]},
            method="patch",
        )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"custom_fields"}


# -- huge numbers -----------------------------------------------------------------------


@pytest.mark.parametrize("huge", [10**30, -(10**30), 2**63, 2**63 - 1])
def test_owner_as_a_huge_number_is_a_400(owner, huge):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "owner": huge})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"owner"}


def test_owner_as_1e999_is_a_400(owner):
    # 1e999 is valid JSON that Python reads as float("inf").
    with nothing_written():
        response = send_raw(owner, CONTACTS, '{"first_name": "Ann", "owner": 1e999}')
    assert response.status_code == 400
    assert set(field_errors(response)) == {"owner"}


def test_a_huge_page_number_is_a_404(owner, contact):
    response = owner.client.get(CONTACTS, {"page": 10**30})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_a_huge_owner_filter_is_a_400(owner, contact):
    response = owner.client.get(CONTACTS, {"owner": "99999999999999999999999"})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"owner"}


def test_a_huge_id_in_the_path_is_a_404(owner):
    response = owner.client.get(f"{CONTACTS}{10**30}/")
    assert response.status_code == 404
    # DRF's default detail for a missing row ("No Contact matches the given query.").
    assert set(response.json()) == {"detail"}


def test_a_huge_tag_id_in_the_path_is_a_404(owner, contact):
    with nothing_written():
        response = owner.client.delete(f"{CONTACTS}{contact.pk}/tags/{10**30}/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


# -- NUL bytes ------------------------------------------------------------------------


def test_a_nul_byte_in_a_body_string_is_a_400(owner):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "A\x00nn"})
    assert response.status_code == 400
    assert response.json() == {"first_name": ["Null characters are not allowed."]}


def test_a_nul_byte_in_a_custom_fields_key_is_a_400(owner):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "custom_fields": {"a\x00": 1}})
    assert response.status_code == 400
    assert "NUL" in response.json()["custom_fields"][0]


def test_a_nul_byte_in_a_custom_fields_value_is_a_400(owner):
    with nothing_written():
        response = send_json(
            owner, CONTACTS, {"first_name": "Ann", "custom_fields": {"a": "x\x00y"}}
        )
    assert response.status_code == 400
    assert "NUL" in response.json()["custom_fields"][0]


def test_a_nul_byte_in_a_query_parameter_is_a_400(owner, contact):
    response = owner.client.get(f"{CONTACTS}?search=a%00b")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_a_nul_byte_in_a_tag_name_is_a_400(owner, contact):
    with nothing_written():
        as_list = send_json(owner, CONTACTS, {"first_name": "Ann", "tags": ["v\x00ip"]})
        as_tag = send_json(owner, TAGS, {"name": "v\x00ip"})
        as_added_tag = send_json(owner, f"{CONTACTS}{contact.pk}/tags/", {"name": "v\x00ip"})
    assert as_list.status_code == 400
    assert set(field_errors(as_list)) == {"tags"}
    assert as_tag.status_code == 400
    assert set(field_errors(as_tag)) == {"name"}
    assert as_added_tag.status_code == 400
    assert set(field_errors(as_added_tag)) == {"name"}


def test_a_lone_surrogate_escape_is_a_400(owner):
    # Valid JSON, but no UTF-8 database column can store it.
    with nothing_written():
        response = send_raw(owner, CONTACTS, '{"first_name": "A\\ud800"}')
    assert response.status_code == 400
    assert "detail" in response.json() or "first_name" in response.json()


# -- ids and filters --------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["abc/", "1.5/", "-1/", "%20/", "0x10/"])
def test_a_non_integer_id_in_the_path_is_a_json_404(owner, suffix):
    response = owner.client.get(f"{CONTACTS}{suffix}")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_non_integer_tag_id_in_the_path_is_a_json_404(owner, contact):
    response = owner.client.delete(f"{CONTACTS}{contact.pk}/tags/abc/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_non_integer_owner_filter_is_a_400(owner, contact):
    response = owner.client.get(CONTACTS, {"owner": "abc"})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"owner"}


@pytest.mark.parametrize("path", [CONTACTS, "/api/v1/crm/companies/"])
@pytest.mark.parametrize("value", ["³", "①", "1.5", "-1", "0x1"])
def test_an_owner_filter_that_is_not_ascii_digits_is_a_400(owner, contact, path, value):
    # "³" and "①" pass str.isdigit() but not int().
    response = owner.client.get(path, {"owner": value})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"owner"}


def test_owner_me_filter_is_accepted(owner, contact):
    response = owner.client.get(CONTACTS, {"owner": "me"})
    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize("param", ["created_after", "created_before"])
def test_a_bad_date_filter_is_a_400(owner, contact, param):
    response = owner.client.get(CONTACTS, {param: "notadate"})
    assert response.status_code == 400
    assert set(field_errors(response)) == {param}


@pytest.mark.parametrize("value", ["2024-01-01T00:00:00-22:00", "2024-01-01T00:00:00+23:59"])
def test_a_date_filter_with_a_large_utc_offset_is_read_as_utc(owner, contact, value):
    # Valid RFC 3339 (offsets up to ±23:59); PostgreSQL only takes ±15:59, so the filter
    # must hand the database UTC.
    response = owner.client.get(CONTACTS, {"created_before": value})
    assert response.status_code == 200
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    "value", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+23:59"]
)
def test_a_date_filter_outside_the_utc_range_is_a_400(owner, contact, value):
    # Parses, but its UTC time falls outside year 1-9999.
    response = owner.client.get(CONTACTS, {"created_after": value})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"created_after"}


def test_an_unknown_ordering_is_ignored(owner, contact):
    # DRF's OrderingFilter drops fields it does not allow rather than failing.
    response = owner.client.get(CONTACTS, {"ordering": "account__name"})
    assert response.status_code == 200
    assert response.json()["count"] == 1


# -- pagination -------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5"])
def test_a_bad_page_number_is_a_404(owner, contact, page):
    # DRF's default for an invalid page number (the contract is silent).
    response = owner.client.get(CONTACTS, {"page": page})
    assert response.status_code == 404
    assert response.json() == {"detail": "Invalid page."}


def test_a_page_size_above_100_is_capped_at_100(owner):
    ContactFactory.create_batch(101, account=owner.account)
    response = owner.client.get(CONTACTS, {"page_size": 100_000})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 101
    assert len(body["results"]) == 100
    assert body["next"] is not None


@pytest.mark.parametrize("page_size", ["0", "-5", "abc"])
def test_a_bad_page_size_falls_back_to_the_default(owner, page_size):
    # DRF's default: an unusable page_size is ignored.
    ContactFactory.create_batch(21, account=owner.account)
    response = owner.client.get(CONTACTS, {"page_size": page_size})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 20


# -- field validation ---------------------------------------------------------------------


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@b.com", "a b@c.com", "a@b@c.com"])
def test_an_invalid_email_is_a_400(owner, email):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "email": email})
    assert response.status_code == 400
    assert response.json() == {"email": ["Enter a valid email address."]}


@pytest.mark.parametrize("phone", ["123", "not a phone", "+1 555", "+999 1234567", "1" * 41])
def test_an_invalid_phone_is_a_400(owner, phone):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "phone": phone})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"phone"}


def test_a_first_name_of_101_characters_is_a_400(owner):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "x" * 101})
    assert response.status_code == 400
    assert response.json() == {"first_name": ["Ensure this field has no more than 100 characters."]}


@pytest.mark.parametrize("first_name", ["", "   ", "\t\n"])
def test_an_empty_or_blank_first_name_is_a_400(owner, first_name):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": first_name})
    assert response.status_code == 400
    assert response.json() == {"first_name": ["This field may not be blank."]}


def test_a_missing_first_name_is_a_400(owner):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"last_name": "Smith"})
    assert response.status_code == 400
    assert response.json() == {"first_name": ["This field is required."]}


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_custom_fields_nan_and_infinity_literals_are_a_400(owner, literal):
    with nothing_written():
        response = send_raw(
            owner, CONTACTS, f'{{"first_name": "Ann", "custom_fields": {{"score": {literal}}}}}'
        )
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


@pytest.mark.parametrize("number", ["1e999", "-1e999"])
def test_custom_fields_number_overflowing_to_infinity_is_a_400(owner, number):
    with nothing_written():
        response = send_raw(
            owner, CONTACTS, f'{{"first_name": "Ann", "custom_fields": {{"score": {number}}}}}'
        )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"custom_fields"}


def test_custom_fields_integer_beyond_2_to_the_53_is_a_400(owner):
    with nothing_written():
        response = send_json(owner, CONTACTS, {"first_name": "Ann", "custom_fields": {"n": 10**30}})
    assert response.status_code == 400
    assert "2^53" in response.json()["custom_fields"][0]


# -- bulk import ----------------------------------------------------------------------------


def test_bulk_import_of_zero_rows_is_a_400(owner):
    with nothing_written():
        response = send_json(owner, BULK, {"contacts": []})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"contacts"}


def test_bulk_import_of_1001_rows_is_a_400(owner):
    rows = [{"first_name": f"P{i}"} for i in range(1001)]
    with nothing_written():
        response = send_json(owner, BULK, {"contacts": rows})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"contacts"}


def test_bulk_import_with_contacts_not_a_list_is_a_400(owner):
    with nothing_written():
        response = send_json(owner, BULK, {"contacts": {"first_name": "Ann"}})
    assert response.status_code == 400
    assert set(field_errors(response)) == {"contacts"}


def test_bulk_import_with_an_unknown_on_duplicate_is_a_400(owner):
    with nothing_written():
        response = send_json(
            owner, BULK, {"contacts": [{"first_name": "A"}], "on_duplicate": "explode"}
        )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"on_duplicate"}


@pytest.mark.parametrize("row", ["Ann", 42, None, ["Ann"]])
def test_bulk_import_with_a_non_object_row_writes_nothing(owner, row):
    with nothing_written():
        response = send_json(
            owner, BULK, {"contacts": [{"first_name": "A"}, row, {"first_name": "B"}]}
        )
    assert response.status_code == 400
    body = response.json()
    assert "errors" in body, body  # the contract's shape, like any other invalid row
    assert [e["index"] for e in body["errors"]] == [1]
    assert body["errors"][0]["errors"]


def test_bulk_import_with_invalid_rows_writes_nothing_and_lists_them_by_index(owner):
    rows = [
        {"first_name": "A", "tags": ["new-tag"]},
        {"first_name": "", "email": "b@example.com"},
        {"first_name": "C"},
        {"first_name": "D", "custom_fields": [1]},
        {"first_name": "E", "owner": "abc"},
    ]
    with nothing_written():
        response = send_json(owner, BULK, {"contacts": rows})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["index"] for e in errors] == [1, 3, 4]
    assert set(errors[0]["errors"]) == {"first_name"}
    assert set(errors[1]["errors"]) == {"custom_fields"}
    assert set(errors[2]["errors"]) == {"owner"}


@pytest.mark.parametrize(
    "owner_json", [str(10**30), "1e999", "true", "1.5", '"abc"', '"³"', '"①"', '"-1"']
)
def test_bulk_import_with_a_bad_owner_is_a_400_by_index(owner, owner_json):
    body = f'{{"contacts": [{{"first_name": "A"}}, {{"first_name": "B", "owner": {owner_json}}}]}}'
    with nothing_written():
        response = send_raw(owner, BULK, body)
    assert response.status_code == 400
    body = response.json()
    assert "errors" in body, body
    assert [e["index"] for e in body["errors"]] == [1]
    assert set(body["errors"][0]["errors"]) == {"owner"}


# -- nested lists -------------------------------------------------------------------------


@pytest.mark.parametrize("missing", ["name", "probability"])
@pytest.mark.parametrize("existing", [True, False], ids=["kept-stage", "new-stage"])
def test_pipeline_patch_with_a_stage_missing_a_field_is_a_400(owner, missing, existing):
    # PATCH is partial for the pipeline, not for each stage of the list it replaces.
    pipeline = PipelineFactory(account=owner.account)
    stage = {"name": "Renamed", "probability": 30}
    if existing:
        stage["id"] = pipeline.stages.order_by("position").first().pk
    del stage[missing]
    before = list(Stage.objects.for_account(owner.account).order_by("pk").values())
    with nothing_written():
        response = send_json(
            owner, f"/api/v1/crm/pipelines/{pipeline.pk}/", {"stages": [stage]}, method="patch"
        )
    assert response.status_code == 400
    assert set(field_errors(response)) == {"stages"}
    assert list(Stage.objects.for_account(owner.account).order_by("pk").values()) == before


# -- account selection ------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["abc", "1.5", "-", "1 2", "0x1", "１", "³"])
def test_a_non_integer_x_account_is_a_400(owner, header):
    response = owner.client.get(CONTACTS, HTTP_X_ACCOUNT=header)
    assert response.status_code == 400
    assert "X-Account" in response.json()["detail"]


def test_an_x_account_of_another_account_answers_no_data(owner, outsider):
    ContactFactory(account=outsider.account, first_name="Secret")
    response = owner.client.get(CONTACTS, HTTP_X_ACCOUNT=str(outsider.account.pk))
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}
    assert "Secret" not in response.content.decode()


def test_an_x_account_of_another_account_writes_nothing(owner, outsider):
    with nothing_written():
        response = owner.client.post(
            CONTACTS, {"first_name": "Ann"}, format="json", HTTP_X_ACCOUNT=str(outsider.account.pk)
        )
    assert response.status_code == 403


def test_a_huge_x_account_is_refused(owner):
    response = owner.client.get(CONTACTS, HTTP_X_ACCOUNT=str(10**30))
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


# -- authentication ---------------------------------------------------------------------------


def test_token_with_a_wrong_password_is_a_400_without_a_token(owner):
    response = APIClient().post(TOKEN, {"username": "olivia", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()
    assert response.json() == {"detail": "Unable to log in with provided credentials."}


def test_token_for_an_unknown_user_is_a_400_without_a_token(db):
    response = APIClient().post(TOKEN, {"username": "nobody", "password": "pw"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_token_with_missing_fields_is_a_400(db):
    response = APIClient().post(TOKEN, {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "username": ["This field is required."],
        "password": ["This field is required."],
    }


def test_token_with_malformed_json_is_a_400(db):
    response = APIClient().post(TOKEN, data='{"username": ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_token_with_the_right_password_is_a_200(owner):
    response = APIClient().post(TOKEN, {"username": "olivia", "password": "pw"}, format="json")
    assert response.status_code == 200
    assert set(response.json()) == {"token"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", CONTACTS),
        ("post", CONTACTS),
        ("get", f"{CONTACTS}1/"),
        ("patch", f"{CONTACTS}1/"),
        ("delete", f"{CONTACTS}1/"),
        ("post", f"{CONTACTS}1/tags/"),
        ("delete", f"{CONTACTS}1/tags/1/"),
        ("post", BULK),
        ("get", TAGS),
        ("post", TAGS),
        ("get", "/api/v1/me/"),
        ("get", "/api/v1/crm/members/"),
        ("get", "/api/v1/crm/account/"),
        ("patch", "/api/v1/crm/account/"),
    ],
)
def test_a_request_without_credentials_is_a_401(db, method, path):
    with nothing_written():
        response = getattr(APIClient(), method)(path, {}, format="json")
    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


@pytest.mark.parametrize(
    "header", ["Token nope", "Token ", "Bearer abc", "Token a b", "Token \x00"]
)
def test_a_request_with_bad_credentials_is_a_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(CONTACTS)
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}


# -- tags -------------------------------------------------------------------------------------


def test_tag_names_differing_only_in_non_ascii_case_are_one_tag(owner, contact):
    first = send_json(owner, TAGS, {"name": "Été"})
    second = send_json(owner, TAGS, {"name": "été"})
    assert first.status_code == 201
    assert second.status_code == 400
    assert set(field_errors(second)) == {"name"}


def test_a_non_ascii_capital_tag_name_is_added_to_a_contact(owner, contact):
    response = send_json(owner, f"{CONTACTS}{contact.pk}/tags/", {"name": "Ûber"})
    assert response.status_code == 200
    assert [t["name"] for t in response.json()["tags"]] == ["Ûber"]
    again = send_json(owner, CONTACTS, {"first_name": "Bo", "tags": ["ûber", "ÛBER"]})
    assert again.status_code == 201
    assert [t["name"] for t in again.json()["tags"]] == ["Ûber"]


def test_adding_a_tag_to_another_accounts_contact_is_a_404(owner, outsider):
    theirs = ContactFactory(account=outsider.account)
    ContactTagFactory(account=outsider.account, contact=theirs)
    with nothing_written():
        response = send_json(owner, f"{CONTACTS}{theirs.pk}/tags/", {"name": "vip"})
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_file_uploads_to_the_ui_have_their_own_larger_limit(owner, settings):
    from django.test import Client

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.MAX_UPLOAD_BYTES = 5000
    client = Client()
    client.force_login(owner.user)
    from django.core.files.uploadedfile import SimpleUploadedFile

    small = SimpleUploadedFile("c.csv", b"First name\n" + b"Ann\n" * 500, "text/csv")
    response = client.post("/imports/contacts/", {"file": small})
    assert response.status_code != 413
    big = SimpleUploadedFile("c.csv", b"First name\n" + b"Ann\n" * 2000, "text/csv")
    assert client.post("/imports/contacts/", {"file": big}).status_code == 413
    # The API keeps the body limit, uploads or not.
    api = owner.client.post("/api/v1/crm/contacts/", {"first_name": "x" * 3000}, format="json")
    assert api.status_code == 413
