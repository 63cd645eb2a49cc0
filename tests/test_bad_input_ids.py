"""Ids and nesting a client can make absurd: still a 4xx, never a 500.

The project reads every id from text through one parser (lib/ids.py): ASCII digits
only, 1 to 2**63-1, and never int() on a string longer than a bigint (Python refuses
more than 4,300 digits with a ValueError).
"""

from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from contacts.models import Contact
from lib.ids import MAX_ID, is_id_shaped, parse_id, parse_page_number
from tests.factories import AccountFactory, CompanyFactory, ContactFactory, MembershipFactory
from tests.web_client import client_for

pytestmark = pytest.mark.django_db

HUGE = "9" * 5000
NOT_ASCII_DIGITS = ["²", "①", "٣", "１", "1²"]


# -- the parser ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        (MAX_ID, MAX_ID),
        ("0", None),
        (0, None),
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        ("", None),
        (None, None),
        (True, None),
        (1.0, None),
        (str(MAX_ID + 1), None),
        (MAX_ID + 1, None),
        ("0" * 30 + "1", None),
        (HUGE, None),
        *[(text, None) for text in NOT_ASCII_DIGITS],
    ],
)
def test_parse_id_accepts_only_ascii_digits_of_a_bigint(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        (" 42 ", True),
        ("0", True),
        (0, True),
        (MAX_ID + 1, True),
        (HUGE, True),
        ("-1", False),
        ("+1", False),
        ("1.0", False),
        ("", False),
        ("  ", False),
        (None, False),
        (True, False),
        (1.0, False),
        *[(text, False) for text in NOT_ASCII_DIGITS],
    ],
)
def test_is_id_shaped_tells_a_type_error_from_an_id_out_of_range(value, expected):
    assert is_id_shaped(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", 3),
        ("0", 1),
        ("-2", 1),
        ("²", 1),
        (None, 1),
        ("", 1),
        (HUGE, 99),
        ("100", 99),
    ],
)
def test_parse_page_number_clamps_to_the_last_page(value, expected):
    assert parse_page_number(value, last=99) == expected


# -- finding: the token view's parser ------------------------------------------------------


def test_token_with_json_nested_2000_deep_is_a_400(db):
    response = APIClient().post(
        "/api/v1/auth/token/", data="[" * 2000, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "JSON parse error - nested too deeply."


def test_token_with_a_lone_surrogate_is_a_400(db):
    response = APIClient().post(
        "/api/v1/auth/token/",
        data='{"username": "\\ud800", "password": "x"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]


# -- finding: account ids of more than 4,300 digits ---------------------------------------


def test_an_x_account_of_5000_digits_is_refused(owner):
    response = owner.client.get("/api/v1/crm/contacts/", HTTP_X_ACCOUNT=HUGE)
    assert response.status_code == 403
    assert response.json() == {"detail": "You are not a member of that account."}


@pytest.mark.parametrize(
    ("value", "status", "detail"),
    [
        ("0", 403, "You are not a member of that account."),
        ("-1", 400, "X-Account must be an account id (an integer)."),
        ("²", 400, "X-Account must be an account id (an integer)."),
    ],
)
def test_an_x_account_that_is_not_an_id_says_so(owner, value, status, detail):
    response = owner.client.get("/api/v1/crm/contacts/", HTTP_X_ACCOUNT=value)
    assert response.status_code == status
    assert response.json() == {"detail": detail}


@pytest.mark.parametrize("value", [HUGE, "²", "-1", "0", ""])
def test_switching_to_an_absurd_account_id_keeps_the_current_account(owner, value):
    second = AccountFactory(name="Second")
    MembershipFactory(account=second, user=owner.user)
    client = client_for(owner)
    response = client.post("/account/switch/", {"account": value, "next": "/contacts/"})
    assert response.status_code == 302
    assert response["Location"] == "/contacts/"
    assert client.get("/").context["request"].account == owner.account


# -- finding: ids in digits `int()` cannot read -------------------------------------------


@pytest.mark.parametrize("value", [*NOT_ASCII_DIGITS, HUGE, "-3", "0"])
def test_the_dashboard_ignores_a_pipeline_that_is_not_an_id(owner, pipeline, value):
    response = client_for(owner).get("/", {"pipeline": value})
    assert response.status_code == 200
    assert response.context["selected_pipeline"] == pipeline


@pytest.mark.parametrize("value", [*NOT_ASCII_DIGITS, HUGE])
def test_an_owner_id_written_as_absurd_text_is_a_400(owner, value):
    response = owner.client.post(
        "/api/v1/crm/contacts/", {"first_name": "A", "owner": value}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"owner"}
    assert not Contact.objects.for_account(owner.account).exists()


@pytest.mark.parametrize("value", [HUGE, "²", "0"])
def test_an_absurd_parent_filter_is_a_400(owner, value):
    CompanyFactory(account=owner.account)
    response = owner.client.get("/api/v1/crm/companies/", {"parent": value})
    assert response.status_code == 400
    assert set(response.json()) == {"parent"}


@pytest.mark.parametrize("value", [HUGE, "²", "0"])
def test_an_absurd_owner_filter_is_a_400(owner, value):
    response = owner.client.get("/api/v1/crm/contacts/", {"owner": value})
    assert response.status_code == 400
    assert set(response.json()) == {"owner"}


def test_a_bulk_import_naming_a_5000_digit_company_is_a_400(owner):
    response = owner.client.post(
        "/api/v1/crm/contacts/bulk-import/", [{"first_name": "A", "company": HUGE}], format="json"
    )
    assert response.status_code == 400
    assert not Contact.objects.for_account(owner.account).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/deals/new/?contact={v}",
        "/companies/new/?parent={v}",
        "/contacts/?company={v}",
        "/contacts/?owner={v}",
        "/pipeline/?owner={v}",
        "/pipeline/?pipeline={v}",
        "/agenda/?page={v}",
        "/agenda/?owner={v}",
    ],
)
@pytest.mark.parametrize("value", [*NOT_ASCII_DIGITS, HUGE])
def test_ui_pages_ignore_ids_that_are_not_ids(owner, pipeline, path, value):
    response = client_for(owner).get(path.format(v=value))
    assert response.status_code == 200


def test_removing_a_tag_by_an_absurd_id_is_a_404(owner):
    contact = ContactFactory(account=owner.account)
    client = client_for(owner)
    for value in (HUGE, "²", "-1"):
        response = client.post(f"/contacts/{contact.pk}/tags/", {"remove": value})
        assert response.status_code == 404


def test_bulk_actions_skip_ids_that_are_not_ids(owner):
    contact = ContactFactory(account=owner.account, owner=owner.user)
    response = client_for(owner).post(
        "/contacts/bulk/",
        {"ids": [HUGE, "²", str(contact.pk)], "action": "assign_owner", "owner": HUGE},
        follow=True,
    )
    assert response.status_code == 200
    assert "Pick a member of this account." in response.content.decode()
    contact.refresh_from_db()
    assert contact.owner == owner.user


@pytest.mark.parametrize("form", ["multipart", "urlencoded"])
def test_a_token_can_still_be_asked_for_with_a_form_post(db, form):
    from tests.factories import UserFactory

    user = UserFactory(username="formposter")
    user.set_password("pw-form-123")
    user.save()
    fields = {"username": "formposter", "password": "pw-form-123"}
    if form == "multipart":
        response = APIClient().post("/api/v1/auth/token/", fields, format="multipart")
    else:
        response = APIClient().post(
            "/api/v1/auth/token/",
            urlencode(fields),
            content_type="application/x-www-form-urlencoded",
        )
    assert response.status_code == 200 and response.json()["token"]
