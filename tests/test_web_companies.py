"""The companies list, the company page and the company form."""

import pytest

from companies.models import Company
from tests.factories import (
    CompanyFactory,
    CompanyTagFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
    PipelineFactory,
    TagFactory,
)
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


# -- the list ------------------------------------------------------------------------------


def test_the_list_shows_companies_with_contact_counts(owner):
    acme = CompanyFactory(account=owner.account, name="Acme Rockets", industry="Aerospace")
    ContactFactory.create_batch(3, account=owner.account, company=acme)
    html = client_for(owner).get("/companies/").content.decode()
    assert "Acme Rockets" in html and "Aerospace" in html
    assert '<td class="num">3</td>' in html


def test_the_list_searches_and_filters(owner, teammate):
    CompanyFactory(
        account=owner.account,
        name="Acme Rockets",
        industry="Aerospace",
        size="11-50",
        owner=teammate.user,
    )
    CompanyFactory(account=owner.account, name="Globex Foods", industry="Food", size="5001+")
    client = client_for(owner)
    html = client.get("/companies/?search=acme").content.decode()
    assert "Acme Rockets" in html and "Globex Foods" not in html
    html = client.get("/companies/?industry=food").content.decode()
    assert "Globex Foods" in html and "Acme Rockets" not in html
    html = client.get("/companies/?size=11-50").content.decode()
    assert "Acme Rockets" in html and "Globex Foods" not in html
    html = client.get(f"/companies/?owner={teammate.user.pk}").content.decode()
    assert "Acme Rockets" in html and "Globex Foods" not in html


def test_the_list_filters_by_tag(owner):
    tagged = CompanyTagFactory(
        company__account=owner.account, company__name="Tagged Co", tag__name="vip"
    ).company
    CompanyFactory(account=owner.account, name="Plain Co")
    html = client_for(owner).get("/companies/?tag=vip").content.decode()
    assert tagged.name in html and "Plain Co" not in html


def test_the_list_sorts(owner):
    CompanyFactory(account=owner.account, name="Alpha")
    CompanyFactory(account=owner.account, name="Zulu")
    html = client_for(owner).get("/companies/?sort=-name").content.decode()
    assert html.index("Zulu") < html.index("Alpha")
    html = client_for(owner).get("/companies/?sort=bogus").content.decode()
    assert html.index("Alpha") < html.index("Zulu")


def test_the_list_paginates(owner):
    for i in range(30):
        CompanyFactory(account=owner.account, name=f"Company {i:02d}")
    client = client_for(owner)
    first = client.get("/companies/").content.decode()
    assert "Company 00" in first and "Company 29" not in first
    assert "1–25 of 30 companies" in first
    one = client.get("/companies/?search=company+00").content.decode()
    assert "1–1 of 1 company<" in one
    second = client.get("/companies/?page=2").content.decode()
    assert "Company 29" in second
    assert client.get("/companies/?page=abc").status_code == 200
    assert client.get("/companies/?page=999").status_code == 200


def test_bad_filters_are_reported_not_errors(owner):
    client = client_for(owner)
    for query in ("?owner=abc", "?size=huge", "?search=" + "x" * 300, "?sort=%00x"):
        response = client.get(f"/companies/{query}")
        assert response.status_code in (200, 400), query


def test_htmx_gets_the_results_partial(owner):
    CompanyFactory(account=owner.account, name="Acme Rockets")
    response = client_for(owner).get("/companies/?search=acm", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="company-results"')
    assert "Acme Rockets" in html and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_empty_states(owner):
    client = client_for(owner)
    assert "No companies yet" in client.get("/companies/").content.decode()
    CompanyFactory(account=owner.account, name="Acme")
    assert "No company matches" in client.get("/companies/?search=zzz").content.decode()


def test_the_list_never_shows_another_accounts_companies(owner, outsider):
    CompanyFactory(account=owner.account, name="Owner Secret Co")
    html = client_for(outsider).get("/companies/").content.decode()
    assert "Owner Secret Co" not in html


def _list_queries(client):
    with capture_queries() as ctx:
        assert client.get("/companies/").status_code == 200
    return ctx


def test_the_list_costs_the_same_queries_whatever_the_company_count(owner, teammate):
    client = client_for(owner)
    parent = CompanyFactory(account=owner.account, owner=owner.user)
    CompanyTagFactory(company=parent)
    few = _list_queries(client)
    for i in range(30):
        company = CompanyFactory(
            account=owner.account,
            parent=parent,
            owner=(owner.user, teammate.user)[i % 2],
            industry=f"I{i}",
        )
        ContactFactory(account=owner.account, company=company)
    assert_same_count(few, _list_queries(client))


# -- the company page --------------------------------------------------------------------


def test_the_company_page_shows_parent_subsidiaries_contacts_and_deals(owner):
    parent = CompanyFactory(account=owner.account, name="Parent Holdings")
    company = CompanyFactory(account=owner.account, name="Acme", parent=parent)
    CompanyFactory(account=owner.account, name="Acme Europe", parent=company)
    contact = ContactFactory(
        account=owner.account, first_name="Wile", last_name="Coyote", company=company
    )
    deal = DealFactory(
        pipeline=PipelineFactory(account=owner.account),
        title="Rockets",
        company=company,
        value_cents=990_000,
        currency="EUR",
    )
    CompanyTagFactory(company=company, tag=TagFactory(account=owner.account, name="Strategic"))
    html = client_for(owner).get(f"/companies/{company.pk}/").content.decode()
    assert '<span class="tag">Strategic</span>' in html
    assert f'href="/companies/{parent.pk}/"' in html and "Parent Holdings" in html
    assert "Acme Europe" in html
    assert f'href="/contacts/{contact.pk}/"' in html and "Wile Coyote" in html
    assert f'href="/deals/{deal.pk}/"' in html and "9,900 EUR" in html


def test_the_company_page_shows_its_timeline(owner):
    company = CompanyFactory(account=owner.account)
    NoteFactory(account=owner.account, company=company, body="<p>Met the CFO</p>")
    html = client_for(owner).get(f"/companies/{company.pk}/").content.decode()
    assert "Met the CFO" in html


def test_the_company_page_costs_the_same_queries_whatever_the_data(owner):
    company = CompanyFactory(account=owner.account)
    pipeline = PipelineFactory(account=owner.account)
    client = client_for(owner)

    def add(n):
        for _ in range(n):
            child = CompanyFactory(account=owner.account, parent=company)
            ContactFactory(account=owner.account, company=company)
            ContactFactory(account=owner.account, company=child)
            DealFactory(pipeline=pipeline, company=company, owner=owner.user)
            NoteFactory(account=owner.account, company=company, author=owner.user)
            CompanyTagFactory(company=company)

    def queries():
        with capture_queries() as ctx:
            assert client.get(f"/companies/{company.pk}/").status_code == 200
        return ctx

    add(1)
    few = queries()
    add(12)
    assert_same_count(few, queries())


# -- the form --------------------------------------------------------------------------


def test_creating_a_company_normalises_its_domain(owner):
    response = client_for(owner).post(
        "/companies/new/",
        {
            "name": "Acme",
            "domain": "https://WWW.Acme.com/about",
            "industry": "Rockets",
            "size": "11-50",
            "owner": owner.user.pk,
        },
    )
    company = Company.objects.for_account(owner.account).get(name="Acme")
    assert response["Location"] == f"/companies/{company.pk}/"
    assert company.domain == "acme.com"


def test_a_bad_or_duplicate_domain_is_a_form_error(owner):
    CompanyFactory(account=owner.account, domain="acme.com")
    client = client_for(owner)
    response = client.post("/companies/new/", {"name": "Again", "domain": "www.ACME.com"})
    assert response.status_code == 200
    assert "already uses the domain acme.com" in response.content.decode()
    response = client.post("/companies/new/", {"name": "Bad", "domain": "not a domain"})
    assert response.status_code == 200 and response.context["form"].errors["domain"]


def test_the_same_domain_in_another_account_is_fine(owner, outsider):
    CompanyFactory(account=outsider.account, domain="acme.com")
    response = client_for(owner).post("/companies/new/", {"name": "Acme", "domain": "acme.com"})
    assert response.status_code == 302


def test_a_parent_that_closes_a_cycle_is_a_form_error(owner):
    top = CompanyFactory(account=owner.account, name="Top")
    middle = CompanyFactory(account=owner.account, name="Middle", parent=top)
    response = client_for(owner).post(
        f"/companies/{top.pk}/edit/",
        {
            "name": "Top",
            "parent": middle.pk,
        },
    )
    assert response.status_code == 200
    assert "cannot be its own ancestor" in response.content.decode()
    top.refresh_from_db()
    assert top.parent is None


def test_a_company_is_not_its_own_parent_choice(owner):
    company = CompanyFactory(account=owner.account, name="Solo")
    response = client_for(owner).post(
        f"/companies/{company.pk}/edit/",
        {
            "name": "Solo",
            "parent": company.pk,
        },
    )
    assert "parent" in response.context["form"].errors


def test_another_accounts_records_are_not_choices(owner, outsider):
    foreign = CompanyFactory(account=outsider.account)
    response = client_for(owner).post(
        "/companies/new/",
        {
            "name": "Sneaky",
            "parent": foreign.pk,
            "owner": outsider.user.pk,
        },
    )
    assert response.status_code == 200
    assert {"parent", "owner"} <= set(response.context["form"].errors)


def test_editing_a_company(owner):
    company = CompanyFactory(account=owner.account, name="Old name")
    response = client_for(owner).post(
        f"/companies/{company.pk}/edit/",
        {
            "name": "New name",
            "domain": company.domain,
            "size": "51-200",
        },
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert (company.name, company.size) == ("New name", "51-200")


@pytest.mark.parametrize("suffix", ["", "edit/"])
def test_the_outsider_gets_404_on_every_company_url(owner, outsider, suffix):
    company = CompanyFactory(account=owner.account, name="Kept")
    client = client_for(outsider)
    assert client.get(f"/companies/{company.pk}/{suffix}").status_code == 404
    assert client.post(f"/companies/{company.pk}/{suffix}", {"name": "Hacked"}).status_code == 404
    company.refresh_from_db()
    assert company.name == "Kept"


def test_the_form_sets_the_companys_tags(owner):
    company = CompanyFactory(account=owner.account, name="Tagged")
    CompanyTagFactory(company=company, tag__name="old")
    client = client_for(owner)
    assert 'value="old"' in client.get(f"/companies/{company.pk}/edit/").content.decode()
    response = client.post(
        f"/companies/{company.pk}/edit/",
        {
            "name": "Tagged",
            "domain": company.domain,
            "tags": "VIP, partner, vip",
        },
    )
    assert response.status_code == 302
    assert sorted(t.name for t in company.tags.all()) == ["VIP", "partner"]


def test_the_list_shows_dates_in_the_account_zone(owner):
    import datetime as dt

    owner.account.time_zone = "Pacific/Auckland"  # UTC+13 in November
    owner.account.save()
    company = CompanyFactory(account=owner.account, name="Late")
    Company.objects.for_account(owner.account).filter(pk=company.pk).update(
        created_at=dt.datetime(2026, 11, 24, 20, 0, tzinfo=dt.UTC)
    )
    html = client_for(owner).get("/companies/").content.decode()
    assert "Nov 25, 2026" in html
    html = client_for(owner).get("/companies/", headers={"HX-Request": "true"}).content.decode()
    assert "Nov 25, 2026" in html
