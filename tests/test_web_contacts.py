"""The contacts pages of the staff UI: list, search, filters, bulk actions, export,
create and edit, the contact page and its tags."""

import csv
import io

import pytest
from django.test import Client

from accounts.models import Tag
from contacts.models import Contact, ContactTag
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    ContactTagFactory,
    DealFactory,
    NoteFactory,
    PipelineFactory,
    TagFactory,
)
from tests.queries import assert_same_count, capture_queries

HTMX = {"HTTP_HX_REQUEST": "true"}


def browser_for(actor) -> Client:
    client = Client()
    client.force_login(actor.user)
    return client


@pytest.fixture
def web(owner):
    return browser_for(owner)


@pytest.fixture
def outsider_web(outsider):
    return browser_for(outsider)


def count_queries(client, method, url, **kwargs):
    with capture_queries() as queries:
        response = getattr(client, method)(url, **kwargs)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
    assert response.status_code in (200, 302), response.status_code
    return queries


def fill(account, n, owner=None):
    """n contacts, each with a company, an owner and two tags."""
    company = CompanyFactory(account=account)
    tags = [TagFactory(account=account), TagFactory(account=account)]
    contacts = []
    for _ in range(n):
        contact = ContactFactory(
            account=account, company=company, owner=owner.user if owner else None
        )
        for tag in tags:
            ContactTagFactory(contact=contact, tag=tag, account=account)
        contacts.append(contact)
    return contacts


# -- the list ---------------------------------------------------------------------


def test_the_list_needs_a_signed_in_user(db):
    response = Client().get("/contacts/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_list_shows_the_accounts_contacts_with_company_tags_and_owner(web, owner, outsider):
    company = CompanyFactory(account=owner.account, name="Initech")
    alice = ContactFactory(
        account=owner.account,
        first_name="Alice",
        last_name="Able",
        company=company,
        owner=owner.user,
    )
    ContactTagFactory(
        contact=alice, tag=TagFactory(account=owner.account, name="vip"), account=owner.account
    )
    ContactFactory(account=outsider.account, first_name="Oscar", last_name="Other")
    response = web.get("/contacts/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alice Able" in html and "Initech" in html and ">vip</a>" in html
    assert owner.user.get_full_name() in html
    assert "Oscar" not in html
    assert "1 contact" in html
    assert 'href="/imports/contacts/"' in html


def test_an_empty_account_gets_a_welcoming_empty_state(web):
    html = web.get("/contacts/").content.decode()
    assert "No contacts yet" in html and "Import a CSV" in html


def test_search_over_htmx_answers_only_the_results(web, owner):
    ContactFactory(account=owner.account, first_name="Alice", last_name="Able")
    ContactFactory(account=owner.account, first_name="Bob", last_name="Brown")
    response = web.get("/contacts/?search=ali", **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Alice Able" in html and "Bob Brown" not in html
    assert "<html" not in html and 'id="contact-filters"' not in html
    assert "HX-Request" in response["Vary"]
    # The export link follows the search (swapped out of band).
    assert 'id="export-link"' in html and "export/?search=ali" in html


def test_an_old_link_with_q_still_searches_and_shows_search(web, owner):
    ContactFactory(account=owner.account, first_name="Alice", last_name="Able")
    ContactFactory(account=owner.account, first_name="Bob", last_name="Brown")
    response = web.get("/contacts/?q=ali", **HTMX)
    html = response.content.decode()
    assert "Alice Able" in html and "Bob Brown" not in html
    assert response["HX-Push-Url"] == "/contacts/?search=ali"


def test_the_list_takes_the_apis_parameters(web, owner):
    """The same FilterSet as GET /api/v1/crm/contacts/: `created_after` works here too."""
    old = ContactFactory(account=owner.account, first_name="Old")
    ContactFactory(account=owner.account, first_name="New")
    Contact.objects.for_account(owner.account).filter(pk=old.pk).update(
        created_at="2001-01-01T00:00Z"
    )
    html = web.get("/contacts/?created_after=2020-01-01T00:00:00Z", **HTMX).content.decode()
    assert "New" in html and "Old" not in html


def test_the_filter_forms_empty_fields_filter_nothing(web, owner):
    ContactFactory(account=owner.account, first_name="Alice", last_name="Able")
    html = web.get(
        "/contacts/?search=ali&tag=&company=&company_q=&owner=&sort=", **HTMX
    ).content.decode()
    assert "Alice Able" in html


def test_a_search_that_matches_nothing_says_so(web, owner):
    ContactFactory(account=owner.account, first_name="Alice")
    html = web.get("/contacts/?search=zzz", **HTMX).content.decode()
    assert "No contacts match" in html


def test_an_htmx_history_restore_gets_the_full_page(web):
    html = web.get(
        "/contacts/?search=a", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    ).content.decode()
    assert 'id="contact-filters"' in html


def test_filters_by_tag_company_and_owner(web, owner, teammate):
    acme = CompanyFactory(account=owner.account, name="Acme")
    tagged = ContactFactory(account=owner.account, first_name="Tagged", last_name="T")
    ContactTagFactory(
        contact=tagged, tag=TagFactory(account=owner.account, name="VIP"), account=owner.account
    )
    at_acme = ContactFactory(
        account=owner.account, first_name="Employee", last_name="E", company=acme
    )
    mine = ContactFactory(account=owner.account, first_name="Mine", last_name="M", owner=owner.user)
    theirs = ContactFactory(
        account=owner.account, first_name="Theirs", last_name="X", owner=teammate.user
    )

    def names(query):
        html = web.get(f"/contacts/?{query}", **HTMX).content.decode()
        return {c.first_name for c in (tagged, at_acme, mine, theirs) if c.full_name in html}

    assert names("tag=vip") == {"Tagged"}
    assert names(f"company={acme.pk}") == {"Employee"}
    assert names("owner=me") == {"Mine"}
    assert names(f"owner={teammate.user.pk}") == {"Theirs"}
    assert names("owner=none") == {"Tagged", "Employee"}
    assert names("owner=nonsense&company=abc&sort=evil") == {"Tagged", "Employee", "Mine", "Theirs"}


def test_sorting_by_name_created_and_updated(web, owner):
    first = ContactFactory(account=owner.account, first_name="Zed", last_name="Zulu")
    second = ContactFactory(account=owner.account, first_name="Amy", last_name="Alpha")

    def order(sort):
        html = web.get(f"/contacts/?sort={sort}", **HTMX).content.decode()
        return sorted((first, second), key=lambda c: html.index(c.full_name))

    assert order("name") == [second, first]
    assert order("-name") == [first, second]
    assert order("created") == [first, second]
    assert order("-created") == [second, first]
    Contact.objects.for_account(owner.account).filter(pk=first.pk).update(
        first_name="Zed"
    )  # touches nothing: update() leaves updated_at alone
    first.title = "CEO"
    first.save()
    assert order("-updated") == [first, second]


def test_the_sorted_column_says_so_and_links_to_the_other_direction(web, owner):
    ContactFactory(account=owner.account)
    html = web.get("/contacts/?sort=-created").content.decode()
    assert 'aria-sort="descending"' in html
    assert "?sort=created" in html  # the same column, ascending


def test_pages_hold_25_contacts_and_show_the_total(web, owner):
    for i in range(30):
        ContactFactory(account=owner.account, first_name=f"P{i:02d}", last_name="Person")
    first = web.get("/contacts/").content.decode()
    assert "Showing 1–25 of 30" in first and "Page 1 of 2" in first
    assert 'href="/contacts/?page=2"' in first
    second = web.get("/contacts/?page=2", **HTMX).content.decode()
    assert "Showing 26–30 of 30" in second
    assert second.count('name="ids"') == 5
    # Out of range or nonsense pages fall back to a real page, never a 500.
    assert web.get("/contacts/?page=99").status_code == 200
    assert web.get("/contacts/?page=x").status_code == 200


def test_the_list_costs_the_same_queries_for_2_or_20_contacts(web, owner):
    fill(owner.account, 2, owner)
    small = count_queries(web, "get", "/contacts/")
    small_htmx = count_queries(web, "get", "/contacts/?search=contact", **HTMX)
    fill(owner.account, 18, owner)
    large = count_queries(web, "get", "/contacts/")
    large_htmx = count_queries(web, "get", "/contacts/?search=contact", **HTMX)
    assert_same_count(small, large, at_most=12)
    assert_same_count(small_htmx, large_htmx)


# -- bulk actions -------------------------------------------------------------------


def test_bulk_add_tag_tags_every_selected_contact_once(web, owner):
    a, b = ContactFactory(account=owner.account), ContactFactory(account=owner.account)
    ContactTagFactory(
        contact=a, tag=TagFactory(account=owner.account, name="vip"), account=owner.account
    )
    response = web.post(
        "/contacts/bulk/",
        {"ids": [a.pk, b.pk], "action": "add_tag", "tag": "VIP", "next": "/contacts/?q=x"},
    )
    assert response.status_code == 302 and response["Location"] == "/contacts/?q=x"
    tag = Tag.objects.for_account(owner.account).get()
    assert tag.name == "vip"
    assert set(
        ContactTag.objects.for_account(owner.account).values_list("contact_id", flat=True)
    ) == {a.pk, b.pk}


def test_bulk_assign_owner_and_unassign(web, owner, teammate):
    a, b = ContactFactory(account=owner.account), ContactFactory(account=owner.account)
    web.post(
        "/contacts/bulk/",
        {"ids": [a.pk, b.pk], "action": "assign_owner", "owner": teammate.user.pk},
    )
    assert {c.owner_id for c in Contact.objects.for_account(owner.account)} == {teammate.user.pk}
    web.post("/contacts/bulk/", {"ids": [a.pk], "action": "assign_owner", "owner": "none"})
    a.refresh_from_db()
    assert a.owner_id is None


def test_bulk_assign_refuses_a_user_outside_the_account(web, owner, outsider):
    a = ContactFactory(account=owner.account)
    response = web.post(
        "/contacts/bulk/",
        {"ids": [a.pk], "action": "assign_owner", "owner": outsider.user.pk},
        follow=True,
    )
    a.refresh_from_db()
    assert a.owner_id is None
    assert "Pick a member of this account." in response.content.decode()


def test_bulk_delete_deletes_only_the_selected_contacts(web, owner):
    a, b, keep = (ContactFactory(account=owner.account) for _ in range(3))
    response = web.post("/contacts/bulk/", {"ids": [a.pk, b.pk], "action": "delete"}, follow=True)
    assert list(Contact.objects.for_account(owner.account)) == [keep]
    assert "Deleted 2 contacts." in response.content.decode()


def test_bulk_actions_ignore_another_accounts_ids(web, owner, outsider):
    theirs = ContactFactory(account=outsider.account)
    mine = ContactFactory(account=owner.account)
    web.post("/contacts/bulk/", {"ids": [theirs.pk, mine.pk], "action": "delete"})
    web.post("/contacts/bulk/", {"ids": [theirs.pk], "action": "add_tag", "tag": "x"})
    web.post(
        "/contacts/bulk/", {"ids": [theirs.pk], "action": "assign_owner", "owner": owner.user.pk}
    )
    theirs.refresh_from_db()
    assert theirs.owner_id is None
    assert not ContactTag.objects.for_account(outsider.account).exists()
    assert not Contact.objects.for_account(owner.account).exists()


def test_the_outsider_cannot_bulk_delete_the_owners_contacts(outsider_web, owner):
    mine = ContactFactory(account=owner.account)
    response = outsider_web.post(
        "/contacts/bulk/", {"ids": [mine.pk], "action": "delete"}, follow=True
    )
    assert Contact.objects.for_account(owner.account).filter(pk=mine.pk).exists()
    assert "Deleted 0 contacts." in response.content.decode()


def test_bulk_actions_with_bad_input_explain_and_change_nothing(web, owner):
    a = ContactFactory(account=owner.account)
    for data in (
        {"action": "delete"},
        {"ids": ["x", "-1", "9" * 30], "action": "delete"},
        {"ids": [a.pk], "action": "explode"},
        {"ids": [a.pk], "action": "add_tag"},
        {"ids": [a.pk], "action": "assign_owner", "owner": "abc"},
    ):
        response = web.post("/contacts/bulk/", data)
        assert response.status_code == 302
    assert Contact.objects.for_account(owner.account).filter(pk=a.pk).exists()
    assert not ContactTag.objects.for_account(owner.account).exists()


def test_bulk_actions_never_redirect_off_site(web, owner):
    a = ContactFactory(account=owner.account)
    response = web.post(
        "/contacts/bulk/",
        {"ids": [a.pk], "action": "delete", "next": "https://evil.example/contacts/"},
    )
    assert response["Location"] == "/contacts/"


def test_bulk_actions_cost_the_same_queries_for_2_or_20_contacts(web, owner, teammate):
    def run(contacts):
        ids = [c.pk for c in contacts]
        counts = []
        for data in (
            {"action": "add_tag", "tag": f"new tag {len(ids)}"},
            {"action": "assign_owner", "owner": teammate.user.pk},
            {"action": "delete"},
        ):
            counts.append(count_queries(web, "post", "/contacts/bulk/", data={"ids": ids, **data}))
        return counts

    for small, large in zip(run(fill(owner.account, 2)), run(fill(owner.account, 20)), strict=True):
        assert_same_count(small, large)


def test_bulk_actions_need_post_and_csrf(owner):
    a = ContactFactory(account=owner.account)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    assert client.get("/contacts/bulk/").status_code == 405
    assert client.post("/contacts/bulk/", {"ids": [a.pk], "action": "delete"}).status_code == 403
    assert Contact.objects.for_account(owner.account).filter(pk=a.pk).exists()


# -- export -----------------------------------------------------------------------------


def read_csv(response):
    assert response.streaming
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_export_streams_the_filtered_list_as_csv(web, owner, outsider):
    acme = CompanyFactory(account=owner.account, name="Acme")
    alice = ContactFactory(
        account=owner.account,
        first_name="Alice",
        last_name="Able",
        email="alice@acme.test",
        phone="+14155550100",
        title="CTO",
        company=acme,
        owner=owner.user,
    )
    for name in ("vip", "partner"):
        ContactTagFactory(
            contact=alice, tag=TagFactory(account=owner.account, name=name), account=owner.account
        )
    ContactFactory(account=owner.account, first_name="Bob", last_name="Brown")
    ContactFactory(account=outsider.account, first_name="Oscar")
    response = web.get("/contacts/export/?search=alice")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 1
    row = rows[0]
    assert list(row) == [
        "first_name",
        "last_name",
        "email",
        "phone",
        "title",
        "company",
        "owner",
        "tags",
        "created_at",
    ]
    assert row["first_name"] == "Alice" and row["email"] == "alice@acme.test"
    assert row["phone"] == "+14155550100" and row["company"] == "Acme"
    assert row["owner"] == owner.user.email
    assert sorted(row["tags"].split(", ")) == ["partner", "vip"]
    assert row["created_at"].startswith(str(alice.created_at.year))
    assert len(read_csv(web.get("/contacts/export/"))) == 2


def test_export_keeps_spreadsheets_from_running_formulas(web, owner):
    ContactFactory(account=owner.account, first_name="=HYPERLINK(1)", last_name="@x")
    row = read_csv(web.get("/contacts/export/"))[0]
    assert row["first_name"] == "'=HYPERLINK(1)" and row["last_name"] == "'@x"


def test_export_writes_times_in_the_accounts_zone(web, owner):
    owner.account.time_zone = "Asia/Tokyo"
    owner.account.save()
    ContactFactory(account=owner.account)
    assert read_csv(web.get("/contacts/export/"))[0]["created_at"].endswith("+09:00")


def test_export_chunks_keep_order_tags_and_owners(web, owner, monkeypatch):
    from web.contacts import export

    monkeypatch.setattr(export, "EXPORT_CHUNK", 3)
    owner.user.email = ""
    owner.user.save()
    vip = TagFactory(account=owner.account, name="vip")
    for n in range(8):
        contact = ContactFactory(
            account=owner.account,
            first_name=f"C{n}",
            last_name="Same",
            owner=owner.user if n % 2 else None,
        )
        if n in (2, 3, 7):
            ContactTagFactory(contact=contact, tag=vip, account=owner.account)
    rows = read_csv(web.get("/contacts/export/?sort=name"))
    assert [r["first_name"] for r in rows] == [f"C{n}" for n in range(8)]
    assert [n for n, r in enumerate(rows) if r["tags"] == "vip"] == [2, 3, 7]
    assert {r["owner"] for r in rows} == {"", owner.user.username}


def test_export_costs_the_same_queries_for_2_or_20_contacts(web, owner):
    fill(owner.account, 2, owner)
    small = count_queries(web, "get", "/contacts/export/")
    fill(owner.account, 18, owner)
    assert_same_count(small, count_queries(web, "get", "/contacts/export/"))


# -- create and edit ----------------------------------------------------------------------


def test_create_a_contact_with_tags_phone_and_lowercased_email(web, owner):
    acme = CompanyFactory(account=owner.account, name="Acme")
    response = web.post(
        "/contacts/new/",
        {
            "first_name": " Ada ",
            "last_name": "Lovelace",
            "email": " Ada@Example.COM ",
            "phone": "(415) 555-0100",
            "title": "Engineer",
            "company": acme.pk,
            "owner": owner.user.pk,
            "tags": "vip, Partner, VIP",
        },
    )
    contact = Contact.objects.for_account(owner.account).get()
    assert response.status_code == 302 and response["Location"] == f"/contacts/{contact.pk}/"
    assert contact.first_name == "Ada" and contact.email == "ada@example.com"
    assert str(contact.phone) == "+14155550100"
    assert contact.company == acme and contact.owner == owner.user
    assert sorted(t.name for t in contact.tags.all()) == ["Partner", "vip"]


def test_the_new_contact_form_is_owned_by_me_by_default(web, owner):
    html = web.get("/contacts/new/").content.decode()
    assert f'<option value="{owner.user.pk}" selected>' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_first_name">' in html


def test_bad_input_shows_errors_next_to_the_fields(web, owner, outsider):
    ContactFactory(account=owner.account, email="taken@example.com")
    theirs = CompanyFactory(account=outsider.account)
    response = web.post(
        "/contacts/new/",
        {
            "first_name": "  ",
            "email": "TAKEN@example.com",
            "phone": "12",
            "company": theirs.pk,
            "owner": outsider.user.pk,
            "tags": "ok, " + "x" * 51,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"first_name", "email", "phone", "company", "owner", "tags"}
    html = response.content.decode()
    assert "A contact with this email already exists." in html
    assert "Enter a valid phone number." in html
    assert 'id="id_email_error"' in html and 'aria-invalid="true"' in html
    assert Contact.objects.for_account(owner.account).count() == 1


def test_the_same_email_in_another_account_is_fine(web, owner, outsider):
    ContactFactory(account=outsider.account, email="shared@example.com")
    response = web.post("/contacts/new/", {"first_name": "Sam", "email": "shared@example.com"})
    assert response.status_code == 302


def test_htmx_validation_answers_one_field_and_saves_nothing(web, owner):
    ContactFactory(account=owner.account, email="taken@example.com")
    response = web.post(
        "/contacts/new/",
        {"first_name": "", "email": "taken@example.com", "_validate": "email"},
        **HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_email_field"' in html and "already exists" in html
    assert "id_first_name" not in html
    assert Contact.objects.for_account(owner.account).count() == 1


def test_edit_keeps_the_own_email_and_replaces_tags(web, owner):
    contact = ContactFactory(account=owner.account, first_name="Ada", email="ada@example.com")
    ContactTagFactory(
        contact=contact, tag=TagFactory(account=owner.account, name="old"), account=owner.account
    )
    page = web.get(f"/contacts/{contact.pk}/edit/").content.decode()
    assert 'value="old"' in page and 'value="ada@example.com"' in page
    response = web.post(
        f"/contacts/{contact.pk}/edit/",
        {
            "first_name": "Ada",
            "last_name": "King",
            "email": "ada@example.com",
            "tags": "new",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.last_name == "King"
    assert [t.name for t in contact.tags.all()] == ["new"]


def test_delete_asks_then_deletes(web, owner):
    contact = ContactFactory(account=owner.account, first_name="Gone")
    NoteFactory(account=owner.account, contact=contact)
    assert "Delete Gone" in web.get(f"/contacts/{contact.pk}/delete/").content.decode()
    response = web.post(f"/contacts/{contact.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/contacts/"
    assert not Contact.objects.for_account(owner.account).exists()


# -- the contact page ----------------------------------------------------------------------


def test_the_contact_page_shows_fields_tags_company_deals_and_timeline(web, owner):
    acme = CompanyFactory(account=owner.account, name="Acme")
    contact = ContactFactory(
        account=owner.account,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@example.com",
        phone="+14155550100",
        company=acme,
    )
    ContactTagFactory(
        contact=contact, tag=TagFactory(account=owner.account, name="vip"), account=owner.account
    )
    DealFactory(
        pipeline=PipelineFactory(account=owner.account),
        contact=contact,
        title="Big one",
        value_cents=1_234_567_00,
    )
    NoteFactory(account=owner.account, contact=contact, body="<p>Met at the fair</p>")
    html = web.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Ada Lovelace" in html and "mailto:ada@example.com" in html
    assert "+1 415-555-0100" in html
    assert f'href="/companies/{acme.pk}/"' in html
    assert "vip" in html
    assert "Big one" in html and "1,234,567 USD" in html
    assert "Met at the fair" in html
    assert "Log a call" in html and "Add a note" in html and "Add a task" in html


def test_the_contact_page_costs_the_same_queries_whatever_its_history(web, owner):
    contact = ContactFactory(account=owner.account, company=CompanyFactory(account=owner.account))
    pipeline = PipelineFactory(account=owner.account)

    def add_history(n):
        for _ in range(n):
            ContactTagFactory(contact=contact, account=owner.account)
            DealFactory(pipeline=pipeline, contact=contact, owner=owner.user)
            NoteFactory(account=owner.account, contact=contact, author=owner.user)
            ActivityFactory(account=owner.account, contact=contact, owner=owner.user)

    add_history(1)
    small = count_queries(web, "get", f"/contacts/{contact.pk}/")
    add_history(15)
    assert_same_count(small, count_queries(web, "get", f"/contacts/{contact.pk}/"))


@pytest.mark.parametrize(
    "path", ["/contacts/new/", "/contacts/{pk}/edit/", "/contacts/{pk}/delete/"]
)
def test_the_form_pages_cost_the_same_queries_whatever_the_account_holds(web, owner, path):
    contact = ContactFactory(account=owner.account)
    url = path.format(pk=contact.pk)

    def grow(n):
        for _ in range(n):
            CompanyFactory(account=owner.account)
            ContactTagFactory(contact=contact, account=owner.account)

    grow(1)
    small = count_queries(web, "get", url)
    grow(12)
    assert_same_count(small, count_queries(web, "get", url))


def test_saving_a_contact_costs_the_same_queries_whatever_its_tags(web, owner):
    acme = CompanyFactory(account=owner.account)

    def save(n):
        contact = ContactFactory(account=owner.account)
        data = {
            "first_name": "Ada",
            "email": f"ada{n}@example.com",
            "company": acme.pk,
            "owner": owner.user.pk,
            "tags": ", ".join(f"tag{n}-{i}" for i in range(n)),
        }
        return count_queries(web, "post", f"/contacts/{contact.pk}/edit/", data=data)

    assert_same_count(save(2), save(20))


def test_tags_are_added_and_removed_in_place(web, owner):
    contact = ContactFactory(account=owner.account)
    response = web.post(f"/contacts/{contact.pk}/tags/", {"name": "Hot lead"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and 'id="contact-tags"' in html and "Hot lead" in html
    assert "toast" in response["HX-Trigger"]
    tag = contact.tags.get()
    response = web.post(f"/contacts/{contact.pk}/tags/", {"remove": tag.pk}, **HTMX)
    assert "Hot lead" not in response.content.decode().split("<datalist")[0]
    assert not contact.tags.exists()
    assert Tag.objects.for_account(owner.account).filter(pk=tag.pk).exists()  # tag stays


def test_a_bad_tag_is_explained_in_place(web, owner):
    contact = ContactFactory(account=owner.account)
    html = web.post(f"/contacts/{contact.pk}/tags/", {"name": "  "}, **HTMX).content.decode()
    assert "Type a tag of 1-50 characters." in html
    assert web.post(f"/contacts/{contact.pk}/tags/", {"remove": "abc"}, **HTMX).status_code == 404


def test_tags_without_javascript_go_back_to_the_contact(web, owner):
    contact = ContactFactory(account=owner.account)
    response = web.post(f"/contacts/{contact.pk}/tags/", {"name": "vip"})
    assert response.status_code == 302 and response["Location"] == f"/contacts/{contact.pk}/"


# -- another account's contact is a 404 everywhere -----------------------------------------


@pytest.mark.parametrize(
    "method,path,data",
    [
        ("get", "/contacts/{pk}/", None),
        ("get", "/contacts/{pk}/edit/", None),
        ("post", "/contacts/{pk}/edit/", {"first_name": "Hacked"}),
        ("get", "/contacts/{pk}/delete/", None),
        ("post", "/contacts/{pk}/delete/", {}),
        ("post", "/contacts/{pk}/tags/", {"name": "hacked"}),
        ("post", "/contacts/{pk}/tags/", {"remove": "{tag}"}),
        ("get", "/timeline/contact/{pk}/", None),
        ("get", "/timeline/contact/{pk}/log/?kind=task", None),
        ("post", "/timeline/contact/{pk}/log/", {"kind": "note", "log-note-body": "x"}),
        ("post", "/timeline/activities/{activity}/complete/", {}),
    ],
)
def test_the_outsider_gets_404_for_the_owners_contact(outsider_web, owner, method, path, data):
    contact = ContactFactory(account=owner.account, first_name="Private")
    tag = TagFactory(account=owner.account)
    ContactTagFactory(contact=contact, tag=tag, account=owner.account)
    activity = ActivityFactory(account=owner.account, contact=contact)
    ids = {"pk": contact.pk, "tag": tag.pk, "activity": activity.pk}
    url = path.format(**ids)
    if data is not None:
        data = {key: value.format(**ids) for key, value in data.items()}
        response = outsider_web.post(url, data, **HTMX)
    else:
        response = outsider_web.get(url, **HTMX)
    assert response.status_code == 404
    contact.refresh_from_db()
    activity.refresh_from_db()
    assert contact.first_name == "Private" and contact.tags.count() == 1
    assert activity.status == "pending"


def test_a_long_company_list_becomes_a_name_filter(owner, monkeypatch):
    from django.test import Client

    from tests.factories import CompanyFactory, ContactFactory
    from web.contacts import views as listing

    monkeypatch.setattr(listing, "COMPANY_MENU_LIMIT", 3)
    acme = CompanyFactory(account=owner.account, name="Acme Rockets")
    for name in ("Beta", "Gamma", "Delta"):
        CompanyFactory(account=owner.account, name=name)
    ContactFactory(account=owner.account, first_name="AtAcme", company=acme)
    ContactFactory(account=owner.account, first_name="Elsewhere")
    client = Client()
    client.force_login(owner.user)
    page = client.get("/contacts/").content.decode()
    assert 'name="company_q"' in page
    assert "Any company" not in page
    filtered = client.get("/contacts/", {"company_q": "acme r"}).content.decode()
    assert "AtAcme" in filtered and "Elsewhere" not in filtered
