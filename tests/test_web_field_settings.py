"""Settings › Custom fields (web/field_settings/): owners and admins define, edit and
delete the account's custom fields through customfields.services; members read the
pages and get a 403 on every write; another account's field is a 404."""

import pytest
from django.urls import reverse

from accounts.models import Membership
from customfields.models import CustomFieldDefinition
from customfields.services import custom_field_create
from tests.conftest import make_actor
from tests.factories import ContactFactory
from tests.queries import capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db
URL = "/settings/fields/"


def define(account, **data):
    return custom_field_create(
        account=account, data={"record_type": "contact", "type": "text", **data}
    )


@pytest.fixture
def admin(account):
    return make_actor(account, Membership.Role.ADMIN, username="ada")


def test_the_page_lists_the_fields_by_record_type(owner):
    define(owner.account, key="source", label="Lead source", type="select", options=["web", "ad"])
    define(owner.account, key="region", record_type="company", label="Sales region")
    page = client_for(owner).get(URL).content.decode()
    assert "Lead source" in page and "web, ad" in page and "Sales region" in page
    assert "keeps the values" in page  # a delete keeps the stored values: the page says so


def test_the_settings_url_name_is_field_settings(owner):
    assert reverse("web:field-settings") == URL


def test_an_owner_defines_a_select_field(owner):
    response = client_for(owner).post(
        f"{URL}new/",
        {
            "record_type": "contact",
            "type": "select",
            "label": "Source",
            "key": "source",
            "options": "web\n referral \n\n",
            "required": "on",
        },
    )
    assert response.status_code == 302
    definition = CustomFieldDefinition.objects.for_account(owner.account).get()
    assert (definition.key, definition.label, definition.type) == ("source", "Source", "select")
    assert definition.options == ["web", "referral"] and definition.required


def test_an_admin_writes_too(admin):
    response = client_for(admin).post(
        f"{URL}new/", {"record_type": "deal", "type": "number", "key": "seats"}
    )
    assert response.status_code == 302
    definition = CustomFieldDefinition.objects.for_account(admin.account).get()
    assert definition.label == "seats"  # an empty label is the key


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"key": "Bad Key"}, "key", "1-40 characters"),
        ({"type": "select"}, "options", "at least one option"),
        ({"type": "select", "options": "a\na"}, "options", "distinct"),
        ({"type": "text", "options": "a"}, "options", "Only a select"),
        ({"record_type": "planet"}, "record_type", "valid choice"),
        ({"type": "colour"}, "type", "valid choice"),
    ],
)
def test_a_bad_definition_is_a_form_error_and_nothing_is_written(owner, data, field, message):
    post = {"record_type": "contact", "type": "text", "key": "k", **data}
    response = client_for(owner).post(f"{URL}new/", post)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not CustomFieldDefinition.objects.for_account(owner.account).exists()


def test_a_key_taken_in_the_same_record_type_is_a_form_error(owner):
    define(owner.account, key="source")
    post = {"record_type": "contact", "type": "text", "key": "source"}
    response = client_for(owner).post(f"{URL}new/", post)
    assert response.status_code == 400
    assert "already exists" in " ".join(response.context["form"].errors["key"])
    # The same key for companies is another field.
    post["record_type"] = "company"
    assert client_for(owner).post(f"{URL}new/", post).status_code == 302


def test_an_edit_changes_label_options_and_required_but_never_the_key(owner):
    definition = define(owner.account, key="source", type="select", options=["web"])
    response = client_for(owner).post(
        f"{URL}{definition.pk}/edit/",
        {
            "label": "Source",
            "options": "web\nevent",
            "required": "on",
            "key": "other",
            "type": "text",
            "record_type": "deal",
        },
    )
    assert response.status_code == 302
    definition.refresh_from_db()
    assert (definition.label, definition.options, definition.required) == (
        "Source",
        ["web", "event"],
        True,
    )
    assert (definition.key, definition.type, definition.record_type) == (
        "source",
        "select",
        "contact",
    )


def test_an_edit_removing_every_option_is_a_form_error(owner):
    definition = define(owner.account, key="source", type="select", options=["web"])
    response = client_for(owner).post(f"{URL}{definition.pk}/edit/", {"options": ""})
    assert response.status_code == 400
    definition.refresh_from_db()
    assert definition.options == ["web"]


def test_a_delete_keeps_the_values_records_store(owner):
    definition = define(owner.account, key="source")
    contact = ContactFactory(account=owner.account, custom_fields={"source": "web"})
    page = client_for(owner).get(f"{URL}{definition.pk}/delete/").content.decode()
    assert "are kept" in page
    response = client_for(owner).post(f"{URL}{definition.pk}/delete/")
    assert response.status_code == 302
    assert not CustomFieldDefinition.objects.for_account(owner.account).exists()
    contact.refresh_from_db()
    assert contact.custom_fields == {"source": "web"}


def test_a_member_reads_every_page_without_the_means_to_write(owner, teammate):
    definition = define(owner.account, key="source", label="Lead source")
    client = client_for(teammate)
    for path in (URL, f"{URL}new/", f"{URL}{definition.pk}/edit/", f"{URL}{definition.pk}/delete/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "Only the account's owners and admins" in response.content.decode()
    assert "New field" not in client.get(URL).content.decode()


def test_a_member_may_not_write(owner, teammate):
    definition = define(owner.account, key="source")
    client = client_for(teammate)
    post = {"record_type": "contact", "type": "text", "key": "other", "label": "Changed"}
    assert client.post(f"{URL}new/", post).status_code == 403
    assert client.post(f"{URL}{definition.pk}/edit/", post).status_code == 403
    assert client.post(f"{URL}{definition.pk}/delete/").status_code == 403
    definition.refresh_from_db()
    assert definition.label == "source"
    assert CustomFieldDefinition.objects.for_account(owner.account).count() == 1


def test_another_accounts_field_is_a_404(owner, outsider):
    definition = define(owner.account, key="source", label="Secret label")
    client = client_for(outsider)
    assert "Secret label" not in client.get(URL).content.decode()
    for path in (f"{URL}{definition.pk}/edit/", f"{URL}{definition.pk}/delete/"):
        assert client.get(path).status_code == 404
        assert client.post(path, {"label": "x"}).status_code == 404
    definition.refresh_from_db()
    assert definition.label == "Secret label"


def test_the_list_costs_the_same_queries_with_more_fields(owner):
    client = client_for(owner)
    define(owner.account, key="one")
    client.get(URL)
    with capture_queries() as small:
        client.get(URL)
    for index in range(6):
        define(owner.account, key=f"more_{index}", record_type=["company", "deal"][index % 2])
    with capture_queries() as large:
        client.get(URL)
    assert len(small) == len(large)
