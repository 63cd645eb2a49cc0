"""contacts/imports/row_rules.py: the model's rules for one CSV row, without the API."""

import ast
from pathlib import Path

import pytest

from contacts.imports.row_rules import RowValidator
from tests.factories import CompanyFactory
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db
IMPORTS_PACKAGE = Path(__file__).resolve().parent.parent / "contacts" / "imports"


def errors_of(validator, row):
    with pytest.raises(ValueError) as raised:
        validator(row)
    return raised.value.args[0]


def test_no_module_of_the_import_imports_the_api():
    for path in IMPORTS_PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            assert not any(n.startswith(("contacts.api", "rest_framework")) for n in names), path


def test_a_valid_row_gives_back_only_its_fields_with_the_email_in_lower_case(owner):
    values = RowValidator(owner.account)({"first_name": "Ada", "email": "Ada@Example.COM"})
    assert values == {"first_name": "Ada", "email": "ada@example.com"}


def test_a_row_without_a_first_name_says_it_is_required(owner):
    errors = errors_of(RowValidator(owner.account), {"last_name": "Lovelace"})
    assert errors == {"first_name": ["This field is required."]}


def test_the_models_max_lengths_apply(owner):
    errors = errors_of(RowValidator(owner.account), {"first_name": "A" * 101, "title": "T" * 201})
    assert errors["first_name"] == ["Ensure this value has at most 100 characters (it has 101)."]
    assert errors["title"] == ["Ensure this value has at most 200 characters (it has 201)."]


def test_a_phone_is_read_in_the_accounts_region_and_stored_as_e164(owner):
    owner.account.phone_region = "GB"
    values = RowValidator(owner.account)({"first_name": "Ada", "phone": "020 7946 0958"})
    assert values["phone"] == "+442079460958"


def test_a_phone_that_is_no_number_is_refused_with_a_plain_message(owner):
    errors = errors_of(RowValidator(owner.account), {"first_name": "Ada", "phone": "12"})
    assert errors == {"phone": ["Enter a valid phone number."]}


def test_tags_are_checked_and_deduplicated(owner):
    validator = RowValidator(owner.account)
    assert validator({"first_name": "A", "tags": ["vip", "VIP", "new"]})["tags"] == ["vip", "new"]
    assert "tags" in errors_of(validator, {"first_name": "A", "tags": ["x" * 51]})
    too_many = [f"t{i}" for i in range(101)]
    assert errors_of(validator, {"first_name": "A", "tags": too_many}) == {
        "tags": ["At most 100 tags."]
    }


def test_another_accounts_company_is_refused_even_when_handed_over(owner, outsider):
    """The lookups never find it; this is the rule's own defence in depth."""
    globex = CompanyFactory(account=outsider.account, name="Globex")
    errors = errors_of(RowValidator(owner.account), {"first_name": "Ada", "company": globex})
    assert list(errors) == ["company"]


def test_a_row_costs_no_query(owner):
    acme = CompanyFactory(account=owner.account, name="Acme")
    validator = RowValidator(owner.account)
    row = {"first_name": "Ada", "email": "a@x.com", "company": acme, "owner": owner.user}
    with assert_queries(0):
        assert validator(row)["company"] == acme
