"""The account's custom fields on the record forms, the record pages and the lists
(web/custom_field_forms.py, web/custom_field_display.py, web/custom_field_lists.py)."""

import pytest
from django.db import connection

from companies.models import Company
from contacts.models import Contact
from customfields.services import custom_field_create
from deals.models import Deal
from tests.factories import CompanyFactory, ContactFactory, DealFactory
from tests.queries import capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


def define(account, key, type="text", record_type="contact", **data):
    return custom_field_create(
        account=account,
        data={"record_type": record_type, "type": type, "key": key, "label": key.title(), **data},
    )


@pytest.fixture
def fields(owner):
    """One contact field of each type."""
    account = owner.account
    return {
        "source": define(account, "source", "select", options=["web", "referral"]),
        "score": define(account, "score", "number"),
        "newsletter": define(account, "newsletter", "boolean"),
        "renewal": define(account, "renewal", "date"),
        "nickname": define(account, "nickname", "text"),
    }


def contact_post(**extra):
    return {"first_name": "Ada", "last_name": "Lovelace", **extra}


# -- forms --------------------------------------------------------------------------


def test_the_contact_form_has_a_typed_widget_per_field(owner, fields):
    html = client_for(owner).get("/contacts/new/").content.decode()
    assert 'name="cf_source"' in html and '<option value="referral">' in html
    assert 'type="number" name="cf_score"' in html
    assert 'type="checkbox" name="cf_newsletter"' in html
    assert 'type="date" name="cf_renewal"' in html
    assert 'type="text" name="cf_nickname"' in html
    assert '<label for="id_cf_score">Score' in html


def test_a_new_contact_stores_typed_values(owner, fields):
    response = client_for(owner).post(
        "/contacts/new/",
        contact_post(
            cf_source="Referral",  # an option, its case ignored
            cf_score="42.5",
            cf_newsletter="on",
            cf_renewal="2026-03-05",
            cf_nickname="  Countess ",
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    contact = Contact.objects.for_account(owner.account).get()
    assert contact.custom_fields == {
        "source": "referral",
        "score": 42.5,
        "newsletter": True,
        "renewal": "2026-03-05",
        "nickname": "Countess",
    }


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("cf_source", "fax", "must be one of: web, referral."),
        ("cf_score", "lots", "must be a number."),
        ("cf_score", "1e400", "must be a number."),
        ("cf_score", str(2**60), "must be within"),
        ("cf_renewal", "2026-02-30", "must be a date as YYYY-MM-DD."),
        ("cf_nickname", "x" * 1001, "at most 1,000 characters"),
    ],
)
def test_a_bad_value_is_a_form_error_and_nothing_is_written(owner, fields, name, value, message):
    response = client_for(owner).post("/contacts/new/", contact_post(**{name: value}))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[name])
    assert not Contact.objects.for_account(owner.account).exists()


def test_a_required_field_is_required(owner, fields):
    define(owner.account, "tier", "select", options=["gold"], required=True)
    client = client_for(owner)
    html = client.get("/contacts/new/").content.decode()
    assert '<label for="id_cf_tier">Tier <span class="required"' in html
    response = client.post("/contacts/new/", contact_post())
    assert "“tier” is required." in response.context["form"].errors["cf_tier"]
    assert client.post("/contacts/new/", contact_post(cf_tier="gold")).status_code == 302


def test_an_edit_writes_the_changed_fields_and_keeps_keys_without_a_definition(owner, fields):
    contact = ContactFactory(
        account=owner.account,
        custom_fields={"score": 3, "legacy": "kept", "source": "web"},
    )
    client = client_for(owner)
    html = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert 'value="3"' in html and 'name="initial-cf_score"' in html
    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        contact_post(
            first_name=contact.first_name,
            last_name=contact.last_name,
            cf_score="7",
            **{"initial-cf_score": "3", "cf_source": "web", "initial-cf_source": "web"},
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    contact.refresh_from_db()
    assert contact.custom_fields == {"score": 7, "legacy": "kept", "source": "web"}


def test_an_edit_keeps_a_select_value_that_is_no_longer_an_option(owner, fields):
    contact = ContactFactory(account=owner.account, custom_fields={"source": "fax"})
    client = client_for(owner)
    html = client.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert "fax (no longer an option)" in html
    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        contact_post(
            first_name="Renamed",
            last_name=contact.last_name,
            **{"initial-first_name": contact.first_name, "initial-last_name": contact.last_name},
            **{"cf_source": "fax", "initial-cf_source": "fax"},
        ),
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.first_name == "Renamed" and contact.custom_fields == {"source": "fax"}


def test_the_company_form_writes_custom_fields(owner):
    define(owner.account, "region", "select", record_type="company", options=["EMEA", "APAC"])
    client = client_for(owner)
    assert 'name="cf_region"' in client.get("/companies/new/").content.decode()
    response = client.post("/companies/new/", {"name": "Acme", "cf_region": "apac"})
    assert response.status_code == 302
    assert Company.objects.for_account(owner.account).get().custom_fields == {"region": "APAC"}
    response = client.post("/companies/new/", {"name": "Globex", "cf_region": "Mars"})
    assert "must be one of: EMEA, APAC." in " ".join(response.context["form"].errors["cf_region"])


def test_the_deal_form_writes_custom_fields(owner, pipeline):
    define(owner.account, "seats", "number", record_type="deal", required=True)
    client = client_for(owner)
    post = {"title": "Big one", "pipeline": pipeline.pk, "currency": "USD"}
    response = client.post("/deals/new/", post)
    assert "“seats” is required." in response.context["form"].errors["cf_seats"]
    assert client.post("/deals/new/", post | {"cf_seats": "12"}).status_code == 302
    deal = Deal.objects.for_account(owner.account).get()
    assert deal.custom_fields == {"seats": 12}
    response = client.post(
        f"/deals/{deal.pk}/edit/",
        post | {"cf_seats": "15", "initial-cf_seats": "12", "initial-title": "Big one"},
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.custom_fields == {"seats": 15}


def test_another_accounts_definitions_never_apply(owner, outsider):
    define(outsider.account, "secret_field", "number", required=True)
    client = client_for(owner)
    assert "secret_field" not in client.get("/contacts/new/").content.decode()
    assert client.post("/contacts/new/", contact_post()).status_code == 302


# -- record pages -------------------------------------------------------------------


def test_the_record_pages_show_the_fields_formatted_by_type(owner, fields, pipeline):
    contact = ContactFactory(
        account=owner.account,
        custom_fields={"score": 12345, "newsletter": False, "renewal": "2026-03-05", "x": "y"},
    )
    html = client_for(owner).get(f"/contacts/{contact.pk}/").content.decode()
    assert "<dt>Score</dt><dd>12,345</dd>" in html
    assert "<dt>Newsletter</dt><dd>No</dd>" in html
    assert "<dt>Renewal</dt><dd>Mar 5, 2026</dd>" in html
    assert '<dt>Source</dt><dd><span class="muted">—</span></dd>' in html
    assert "<dt>X</dt>" not in html  # a key without a definition is not shown
    define(owner.account, "region", record_type="company")
    company = CompanyFactory(account=owner.account, custom_fields={"region": "EMEA"})
    assert (
        "<dt>Region</dt><dd>EMEA</dd>"
        in client_for(owner).get(f"/companies/{company.pk}/").content.decode()
    )
    define(owner.account, "won_via", "boolean", record_type="deal")
    deal = DealFactory(pipeline=pipeline, custom_fields={"won_via": True})
    assert (
        "<dt>Won_Via</dt><dd>Yes</dd>"
        in client_for(owner).get(f"/deals/{deal.pk}/").content.decode()
    )


# -- lists --------------------------------------------------------------------------


def names(response):
    return sorted(c.first_name for c in response.context["contacts"])


@pytest.fixture
def people(owner, fields):
    account = owner.account
    return [
        ContactFactory(
            account=account,
            first_name="Ann",
            custom_fields={
                "source": "web",
                "score": 5,
                "renewal": "2026-01-10",
                "newsletter": True,
            },
        ),
        ContactFactory(
            account=account,
            first_name="Bob",
            custom_fields={"source": "referral", "score": 50, "renewal": "2026-06-01"},
        ),
        ContactFactory(account=account, first_name="Cy", custom_fields={"score": "50"}),
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("cf_source=web", ["Ann"]),
        ("cf_source=Referral", ["Bob"]),
        ("cf_score=50", ["Bob"]),  # "50" stored as text is not the number 50
        ("cf_score__gte=10", ["Bob"]),
        ("cf_score__lte=10", ["Ann"]),
        ("cf_renewal__gte=2026-02-01&cf_renewal__lte=2026-12-31", ["Bob"]),
        ("cf_newsletter=true", ["Ann"]),
        ("cf_newsletter=yes&cf_source=web", ["Ann"]),
        ("cf_source=", ["Ann", "Bob", "Cy"]),  # an empty filter is none
    ],
)
def test_the_contacts_list_filters_on_custom_fields(owner, people, query, expected):
    response = client_for(owner).get(f"/contacts/?{query}")
    assert response.status_code == 200
    assert names(response) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("cf_score=lots", "Score: “score” must be a number."),
        ("cf_score__gte=x", "Score from: “score” must be a number."),
        ("cf_source__gte=web", "Source from: “source” is a select field"),
        ("cf_planet=mars", "planet: No custom field “planet” is defined."),
        ("cf_renewal=tomorrow", "Renewal: “renewal” must be a date as YYYY-MM-DD."),
    ],
)
def test_a_bad_custom_field_filter_is_a_message_and_left_out(owner, people, query, message):
    response = client_for(owner).get(f"/contacts/?{query}&cf_source=web")
    assert response.status_code == 200
    assert message in " ".join(response.context["errors"])
    assert message.split(":")[0] in response.content.decode()
    assert names(response) == ["Ann"]  # the good filter still applies


def test_the_companies_and_deals_lists_filter_on_custom_fields(owner, pipeline):
    define(owner.account, "region", "select", record_type="company", options=["EMEA", "APAC"])
    CompanyFactory(account=owner.account, name="Acme", custom_fields={"region": "EMEA"})
    CompanyFactory(account=owner.account, name="Globex", custom_fields={"region": "APAC"})
    client = client_for(owner)
    response = client.get("/companies/?cf_region=emea")
    assert [c.name for c in response.context["companies"]] == ["Acme"]
    response = client.get("/companies/?cf_region=Mars")
    assert "Region: “region” must be one of: EMEA, APAC." in response.context["errors"]
    define(owner.account, "seats", "number", record_type="deal")
    DealFactory(pipeline=pipeline, title="Small", custom_fields={"seats": 2})
    DealFactory(pipeline=pipeline, title="Large", custom_fields={"seats": 200})
    response = client.get("/deals/?cf_seats__gte=100")
    assert [d.title for d in response.context["deals"]] == ["Large"]
    response = client.get("/deals/?cf_seats__lte=abc")
    assert "Seats to: “seats” must be a number." in response.context["errors"]


def test_the_list_links_carry_the_custom_field_filters(owner, people):
    html = client_for(owner).get("/contacts/?cf_source=web").content.decode()
    assert "/contacts/export/?cf_source=web" in html
    assert 'href="/contacts/?sort=-name&amp;cf_source=web"' in html


def test_columns_are_chosen_and_remembered_per_user(owner, teammate, people):
    client = client_for(owner)
    html = client.get("/contacts/").content.decode()
    assert '<th scope="col">Score</th>' not in html
    html = client.get("/contacts/?columns_set=1&columns=score&columns=nope").content.decode()
    assert '<th scope="col">Score</th>' in html and "<td>50</td>" in html
    # Remembered: the next visit shows them too, a teammate's list does not.
    assert '<th scope="col">Score</th>' in client.get("/contacts/?sort=-name").content.decode()
    html = client_for(teammate).get("/contacts/").content.decode()
    assert '<th scope="col">Score</th>' not in html
    # Unticking every box is a choice too.
    html = client.get("/contacts/?columns_set=1").content.decode()
    assert '<th scope="col">Score</th>' not in html


def test_company_and_deal_columns(owner, pipeline):
    define(owner.account, "region", record_type="company")
    CompanyFactory(account=owner.account, custom_fields={"region": "EMEA"})
    define(owner.account, "seats", "number", record_type="deal")
    DealFactory(pipeline=pipeline, custom_fields={"seats": 1200})
    client = client_for(owner)
    html = client.get("/companies/?columns_set=1&columns=region").content.decode()
    assert '<th scope="col">Region</th>' in html and "<td>EMEA</td>" in html
    html = client.get("/deals/?columns_set=1&columns=seats").content.decode()
    assert '<th scope="col">Seats</th>' in html and "<td>1,200</td>" in html


def list_queries(client, path) -> int:
    client.get(path)  # warm: the session, the account
    with capture_queries() as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("path", "make"),
    [
        (
            "/contacts/",
            lambda owner, i: ContactFactory(account=owner.account, custom_fields={"a": i}),
        ),
        (
            "/companies/",
            lambda owner, i: CompanyFactory(account=owner.account, custom_fields={"a": i}),
        ),
    ],
)
def test_a_list_with_custom_columns_and_filters_costs_the_same_at_any_size(owner, path, make):
    record_type = "contact" if path == "/contacts/" else "company"
    for key in ("a", "b", "c"):
        define(owner.account, key, "number", record_type=record_type)
    client = client_for(owner)
    query = f"{path}?columns_set=1&columns=a&columns=b&columns=c&cf_a__gte=0"
    make(owner, 1)
    small = list_queries(client, query)
    for i in range(12):
        make(owner, i)
    assert list_queries(client, query) == small


def test_the_deals_list_with_custom_columns_costs_the_same_at_any_size(owner, pipeline):
    define(owner.account, "seats", "number", record_type="deal")
    client = client_for(owner)
    query = "/deals/?columns_set=1&columns=seats&cf_seats__gte=0"
    DealFactory(pipeline=pipeline, custom_fields={"seats": 1})
    small = list_queries(client, query)
    for i in range(12):
        DealFactory(pipeline=pipeline, custom_fields={"seats": i})
    assert list_queries(client, query) == small


def test_an_edit_does_not_require_a_value_the_record_never_had(owner, fields):
    """Required applies on create, as in the API and the admin: a contact made before
    the field was required can still be edited."""
    contact = ContactFactory(account=owner.account, first_name="Ada", custom_fields={})
    define(owner.account, "tier", "text", required=True)
    response = client_for(owner).post(
        f"/contacts/{contact.pk}/edit/", contact_post(first_name="Ada", title="CTO")
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.title == "CTO" and contact.custom_fields == {}


def test_a_field_missing_from_the_post_keeps_its_value_an_unticked_box_is_no(owner, fields):
    contact = ContactFactory(
        account=owner.account, first_name="Ada", custom_fields={"score": 3, "newsletter": True}
    )
    response = client_for(owner).post(
        f"/contacts/{contact.pk}/edit/", contact_post(**{"initial-cf_newsletter": "True"})
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.custom_fields == {"score": 3, "newsletter": False}


def test_a_list_filtered_by_a_custom_field_range_stops_counting_past_the_cap(
    owner, fields, monkeypatch
):
    from web import custom_field_lists

    monkeypatch.setattr(custom_field_lists, "COUNT_CAP", 30)
    for n in range(40):
        ContactFactory(account=owner.account, last_name=f"L{n:02}", custom_fields={"score": n})
    client = client_for(owner)
    response = client.get("/contacts/?cf_score__gte=0")
    html = response.content.decode()
    assert response.context["total_display"] == "30+"
    assert "30+ contacts" in html and "Page 1 of 2+" in html and 'rel="next"' in html
    # From page 2 the count reaches 30 rows past that page's start: all 40, exact.
    response = client.get("/contacts/?cf_score__gte=0&page=2")
    assert response.context["total_display"] == "40"
    assert [c.last_name for c in response.context["contacts"]] == [f"L{n}" for n in range(25, 40)]
    # Without a custom field filter the count is exact, as before.
    assert client.get("/contacts/").context["total_display"] == "40"


def test_a_list_filtered_by_one_value_counts_exactly_from_the_value_index(
    owner, fields, monkeypatch
):
    from web import custom_field_lists

    monkeypatch.setattr(custom_field_lists, "COUNT_CAP", 30)
    ContactFactory.create_batch(40, account=owner.account, custom_fields={"source": "web"})
    ContactFactory(account=owner.account, custom_fields={"source": "referral"})
    with capture_queries() as queries:
        response = client_for(owner).get("/contacts/?cf_source=web")
    if connection.vendor == "postgresql":  # accounts/custom_values.py
        assert response.context["total_display"] == "40"
        assert "40 contacts" in response.content.decode()
        assert queries.matching("accounts_customvalue")
    else:  # SQLite keeps no index of values: the capped count
        assert response.context["total_display"] == "30+"


def test_the_companies_list_shows_a_capped_count_too(owner, monkeypatch):
    from web import custom_field_lists

    monkeypatch.setattr(custom_field_lists, "COUNT_CAP", 30)
    define(owner.account, "seats", "number", record_type="company")
    for n in range(40):
        CompanyFactory(account=owner.account, name=f"Co {n:02}", custom_fields={"seats": n})
    html = client_for(owner).get("/companies/?cf_seats__gte=0").content.decode()
    assert "of 30+ companies" in html and "Page 1 of 2+" in html
