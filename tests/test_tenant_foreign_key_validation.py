"""A foreign key between two accounts' records validates within the record's account
(scaleout/tenant_validation.py): another account's id is "not a valid choice", and the
check names the account, so on Citus it reaches one shard."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from activities.models import Activity
from companies.models import Company
from contacts.models import Contact
from tests.factories import AccountFactory, CompanyFactory, ContactFactory, DealFactory

pytestmark = pytest.mark.django_db


def test_a_company_of_the_same_account_is_valid():
    company = CompanyFactory()
    contact = Contact(account=company.account, first_name="Ada", company=company)

    with CaptureQueriesContext(connection) as queries:
        contact.full_clean(exclude=["email"], validate_unique=False, validate_constraints=False)

    (check,) = [q["sql"] for q in queries if "companies_company" in q["sql"]]
    assert '"companies_company"."account_id" = ' in check


def test_another_accounts_company_is_a_validation_error():
    theirs = CompanyFactory()
    contact = Contact(account=AccountFactory(), first_name="Ada", company_id=theirs.pk)

    with pytest.raises(ValidationError) as error:
        contact.full_clean(exclude=["email"], validate_unique=False, validate_constraints=False)

    assert any("is not a valid choice" in m for m in error.value.message_dict["company"])


def test_another_accounts_deal_and_contact_are_validation_errors_on_an_activity():
    mine = AccountFactory()
    activity = Activity(
        account=mine,
        type=Activity.Type.TASK,
        subject="Call",
        deal_id=DealFactory().pk,
        contact_id=ContactFactory().pk,
    )

    with pytest.raises(ValidationError) as error:
        activity.full_clean(validate_unique=False, validate_constraints=False)

    errors = error.value.message_dict
    assert any("is not a valid choice" in m for m in errors["deal"])
    assert any("is not a valid choice" in m for m in errors["contact"])


def test_a_company_loaded_without_its_account_is_checked_by_the_contacts_account():
    # As a form's choices load it (`only("id", "name")`): one query, naming the account.
    theirs = Company.objects.dangerously_unscoped().only("id", "name").get(pk=CompanyFactory().pk)
    contact = Contact(account=AccountFactory(), first_name="Ada", company=theirs)

    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError) as error:
        contact.validate_same_account()

    assert error.value.message_dict == {"company": ["Pick a record of the same account."]}
    (check,) = [q["sql"] for q in queries]
    assert '"companies_company"."account_id" = ' in check
