"""Uniqueness within an account comes from the models' unique constraints: their
`violation_error_message` and `violation_error_code` are what the API, the web forms
and the admin say, on the field the user typed, and another account's rows never
clash. (Both databases: run once on SQLite, once with DATABASE_URL on PostgreSQL.)"""

from unittest.mock import ANY

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.db.models import UniqueConstraint
from django.test import Client

from accounts.models import Tag
from accounts.tenancy import AccountOwned
from accounts.uniqueness import unique_conflicts, unique_in_account, validate_unique_in_account
from companies.models import Company
from contacts.models import Contact
from deals.models import Pipeline, Stage
from lib.errors import UniqueConflict
from tests.factories import (
    CompanyFactory,
    ContactFactory,
    PipelineFactory,
    TagFactory,
    UserFactory,
)
from tests.html_forms import form_data
from tests.queries import assert_queries, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db

EMAIL_TAKEN = "A contact with this email already exists."
DOMAIN_TAKEN = "A company with this domain already exists."
PIPELINE_TAKEN = "A pipeline with this name already exists."
TAG_TAKEN = "A tag with this name already exists."
STAGE_TAKEN = "Stage names must be unique within a pipeline."


def every_account_owned_model():
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, AccountOwned)]


def test_every_account_unique_constraint_with_a_message_has_a_code():
    for model in every_account_owned_model():
        for constraint in model._meta.constraints:
            if not isinstance(constraint, UniqueConstraint):
                continue
            if constraint.violation_error_message != constraint.default_violation_error_message:
                assert constraint.violation_error_code, constraint.name


def test_the_constraints_found_are_those_that_lead_with_account():
    assert [(c.name, names) for c, names in unique_in_account(Contact)] == [
        ("contact_unique_email", ("email",))
    ]
    assert [(c.name, names) for c, names in unique_in_account(Pipeline)] == [
        ("pipeline_unique_name", ("name",))
    ]


# -- the check itself ---------------------------------------------------------------------


def test_a_clash_is_the_constraints_message_and_code_on_the_field(account):
    ContactFactory(account=account, email="ann@example.com")
    with pytest.raises(ValidationError) as caught:
        validate_unique_in_account(Contact(account=account, email="ann@example.com"))
    [error] = caught.value.error_dict["email"]
    assert (error.message, error.code, error.params) == (
        EMAIL_TAKEN,
        "unique_email",
        {"value": "ann@example.com"},
    )


def test_the_same_value_in_another_account_or_on_the_row_itself_is_no_clash(account, other_account):
    ContactFactory(account=other_account, email="ann@example.com")
    own = ContactFactory(account=account, email="bob@example.com")
    with capture_queries() as queries:
        validate_unique_in_account(Contact(account=account, email="ann@example.com"))
    # One SELECT (a conditional constraint's check runs in a savepoint besides).
    assert [sql for sql in queries.sql if sql.startswith("SELECT")] == [ANY], str(queries)
    validate_unique_in_account(own)


def test_an_excluded_field_is_not_checked(account):
    ContactFactory(account=account, email="ann@example.com")
    with assert_queries(0):
        validate_unique_in_account(
            Contact(account=account, email="ann@example.com"), exclude={"email"}
        )


def test_a_case_insensitive_constraint_is_checked_in_any_case(account):
    PipelineFactory(account=account, name="Sales")
    with pytest.raises(ValidationError) as caught:
        validate_unique_in_account(Pipeline(account=account, name="SALES"))
    assert caught.value.message_dict == {"name": ["A pipeline with this name already exists."]}


# -- the API -----------------------------------------------------------------------------


def test_the_api_answers_a_duplicate_email_with_the_constraints_message(owner, outsider):
    ContactFactory(account=owner.account, email="ann@example.com")
    response = owner.client.post(
        "/api/v1/crm/contacts/", {"first_name": "Ann", "email": "ANN@example.com"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"email": [EMAIL_TAKEN]}
    other = outsider.client.post(
        "/api/v1/crm/contacts/", {"first_name": "Ann", "email": "ann@example.com"}, format="json"
    )
    assert other.status_code == 201


def test_the_api_reports_a_duplicate_email_beside_other_field_errors(owner):
    ContactFactory(account=owner.account, email="ann@example.com")
    response = owner.client.post(
        "/api/v1/crm/contacts/", {"first_name": "", "email": "ann@example.com"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"first_name", "email"}
    assert response.json()["email"] == [EMAIL_TAKEN]


def test_the_api_lets_a_contact_keep_its_own_email(owner):
    contact = ContactFactory(account=owner.account, email="ann@example.com")
    response = owner.client.patch(
        f"/api/v1/crm/contacts/{contact.pk}/", {"email": "Ann@Example.com"}, format="json"
    )
    assert response.status_code == 200, response.json()


def test_the_api_answers_a_duplicate_domain_with_the_constraints_message(owner):
    CompanyFactory(account=owner.account, domain="acme.com")
    response = owner.client.post(
        "/api/v1/crm/companies/",
        {"name": "Again", "domain": "https://WWW.Acme.com/about"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"domain": [DOMAIN_TAKEN]}


def test_the_api_answers_a_duplicate_pipeline_name_in_any_case(owner, pipeline):
    response = owner.client.post(
        "/api/v1/crm/pipelines/",
        {"name": "SALES", "stages": [{"name": "Lead", "probability": 10}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"name": ["A pipeline with this name already exists."]}


# -- the web forms -----------------------------------------------------------------------


def test_the_contact_form_shows_the_constraints_message_on_email(owner):
    ContactFactory(account=owner.account, email="ann@example.com")
    response = client_for(owner).post(
        "/contacts/new/", {"first_name": "Ann", "email": " ANN@example.com "}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [EMAIL_TAKEN]
    assert response.context["form"].errors.as_data()["email"][0].code == "unique_email"


def test_the_contact_form_stores_the_email_as_the_model_normalises_it(owner):
    client_for(owner).post("/contacts/new/", {"first_name": "Ann", "email": " Ann@Example.COM "})
    assert Contact.objects.for_account(owner.account).get().email == "ann@example.com"


def test_the_company_form_words_the_constraint_with_the_domain(owner, outsider):
    CompanyFactory(account=owner.account, domain="acme.com")
    CompanyFactory(account=outsider.account, domain="globex.com")
    client = client_for(owner)
    response = client.post("/companies/new/", {"name": "Again", "domain": "https://Acme.com/x"})
    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["domain"]
    assert error.code == "unique_domain"
    assert response.context["form"].errors["domain"] == [
        "Another company already uses the domain acme.com."
    ]
    response = client.post("/companies/new/", {"name": "Globex", "domain": "WWW.globex.com"})
    assert response.status_code == 302
    assert Company.objects.for_account(owner.account).get(name="Globex").domain == "globex.com"


def test_a_company_keeps_its_own_domain_in_the_form(owner):
    company = CompanyFactory(account=owner.account, name="Acme", domain="acme.com")
    response = client_for(owner).post(
        f"/companies/{company.pk}/edit/", {"name": "Acme Inc", "domain": "acme.com"}
    )
    assert response.status_code == 302, response.context["form"].errors


# -- the admin ---------------------------------------------------------------------------


@pytest.fixture
def admin_client():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_add(client, model, **fields):
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
    data = form_data(client.get(url).content.decode(), f"{model._meta.model_name}_form")
    data.update({name: [str(value)] for name, value in fields.items()})
    return client.post(url, data)


def test_the_admin_refuses_a_duplicate_email_in_another_case(admin_client, account):
    ContactFactory(account=account, email="ann@example.com")
    response = admin_add(
        admin_client, Contact, account=account.pk, first_name="Ann", email="ANN@example.com"
    )
    assert response.status_code == 200  # not an IntegrityError from the save
    assert EMAIL_TAKEN in response.content.decode()
    assert Contact.objects.for_account(account).count() == 1


def test_the_admin_refuses_a_duplicate_domain_in_another_spelling(admin_client, account):
    CompanyFactory(account=account, domain="acme.com")
    response = admin_add(
        admin_client, Company, account=account.pk, name="Again", domain="https://www.ACME.com/"
    )
    assert response.status_code == 200
    assert DOMAIN_TAKEN in response.content.decode()


def test_the_admin_takes_the_same_email_in_another_account(admin_client, account, other_account):
    ContactFactory(account=other_account, email="ann@example.com")
    response = admin_add(
        admin_client, Contact, account=account.pk, first_name="Ann", email="Ann@example.com"
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Contact.objects.for_account(account).get().email == "ann@example.com"


def test_the_api_answers_a_duplicate_tag_name_in_any_case(owner, outsider):
    assert owner.client.post("/api/v1/crm/tags/", {"name": "VIP"}, format="json").status_code == 201
    response = owner.client.post("/api/v1/crm/tags/", {"name": " vip "}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["A tag with this name already exists."]}
    tag_id = owner.client.get("/api/v1/crm/tags/").json()["results"][0]["id"]
    renamed = owner.client.patch(f"/api/v1/crm/tags/{tag_id}/", {"name": "Vip"}, format="json")
    assert renamed.status_code == 200, renamed.json()
    elsewhere = outsider.client.post("/api/v1/crm/tags/", {"name": "vip"}, format="json")
    assert elsewhere.status_code == 201


# -- a write that lost a race: the database's refusal, answered as validation's --------


def refused(model, field, write):
    """The UniqueConflict `write` raises inside `unique_conflicts`, after which the
    surrounding transaction still answers queries (the savepoint was rolled back)."""
    with pytest.raises(UniqueConflict) as caught, unique_conflicts(model, field=field):
        write()
    with connection.cursor() as cursor:  # on PostgreSQL, an aborted transaction raises
        cursor.execute("SELECT 1")
    return caught.value


def test_unique_conflicts_names_each_constraint_in_the_field_typed(pipeline):
    account = pipeline.account
    TagFactory(account=account, name="vip")
    cases = [
        (Pipeline, lambda: Pipeline.objects.create(account=account, name="SALES"), PIPELINE_TAKEN),
        # The constraint is on `name_key`; the user typed `name`.
        (Tag, lambda: Tag.objects.create(account=account, name=" VIP "), TAG_TAKEN),
        (
            Stage,
            lambda: Stage.objects.create(
                account=account, pipeline=pipeline, name="Lead", probability=5, position=9
            ),
            STAGE_TAKEN,
        ),
        (
            Contact,
            lambda: [ContactFactory(account=account, email="a@example.com") for _ in range(2)],
            EMAIL_TAKEN,
        ),
    ]
    for model, write, message in cases:
        field = "email" if model is Contact else "name"
        exc = refused(model, field, write)
        assert exc.message_dict == {field: [message]}, model
        assert exc.error_dict[field][0].code == f"unique_{field}", model
    assert Pipeline.objects.for_account(account).count() == 1
    assert Tag.objects.for_account(account).count() == 1


def test_unique_conflicts_lets_any_other_integrity_error_through(pipeline):
    with pytest.raises(IntegrityError), unique_conflicts(Stage, field="name"):
        Stage.objects.create(
            account=pipeline.account, pipeline=pipeline, name="Odd", probability=101, position=9
        )
    # Another model's constraint is not one of this model's.
    with pytest.raises(IntegrityError), unique_conflicts(Tag, field="name"):
        Pipeline.objects.create(account=pipeline.account, name="sales")
