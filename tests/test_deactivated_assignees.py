"""A deactivated member (their membership, or their user site-wide) keeps what they own
but is assigned nothing new (`User.objects.assignable_to`), on every face: the API (one
record and the bulk import), the web app's forms, owner picker and bulk assign, the CSV
import, the admin, and the `assigned` notifications. Lists still filter by them, and a
record they own still saves when its other fields are edited."""

import pytest
from django.test import Client

from accounts.models import Membership, User
from accounts.services import membership_deactivate
from contacts.imports.lookups import Directory
from contacts.models import Contact
from notifications.models import Notification
from tests.conftest import make_actor
from tests.factories import CompanyFactory, ContactFactory, DealFactory, UserFactory
from tests.web_client import client_for

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(params=["membership", "user"])
def leaver(request, account, owner):
    """Dana, a member of the account, deactivated: her membership by the account, or
    her user by a superuser, site-wide (`User.is_active`), with her membership left
    active. Either way she no longer acts for the account, so every test here runs
    both ways."""
    actor = make_actor(account, username="dana", first_name="Dana", last_name="Left")
    if request.param == "membership":
        membership = Membership.objects.get(account=account, user=actor.user)
        membership_deactivate(membership=membership)
    else:
        User.objects.filter(pk=actor.user.pk).update(is_active=False)
        actor.user.refresh_from_db()
    return actor.user


@pytest.fixture
def their_contact(account, leaver):
    return ContactFactory(account=account, first_name="Kept", owner=leaver)


def test_assignable_to_leaves_out_deactivated_members_unless_kept(account, owner, leaver):
    assert leaver in User.objects.members_of(account)
    assert leaver not in User.objects.assignable_to(account)
    kept = User.objects.assignable_to(account, keep=leaver.pk)
    assert {u.pk: u.assignable for u in kept} == {owner.user.pk: True, leaver.pk: False}


# -- API ---------------------------------------------------------------------------


def test_the_api_refuses_a_deactivated_member_as_owner_by_name(owner, leaver):
    response = owner.client.post(
        "/api/v1/crm/contacts/", {"first_name": "Ada", "owner": leaver.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "owner": [f"User {leaver.pk} is deactivated in this account: assign an active member."]
    }
    assert not Contact.objects.for_account(owner.account).filter(first_name="Ada").exists()


def test_the_api_refuses_giving_a_record_to_a_deactivated_member(owner, leaver, account):
    contact = ContactFactory(account=account, owner=owner.user)
    response = owner.client.patch(
        f"/api/v1/crm/contacts/{contact.pk}/", {"owner": leaver.pk}, format="json"
    )
    assert response.status_code == 400 and "owner" in response.json()
    contact.refresh_from_db()
    assert contact.owner_id == owner.user.pk


def test_the_api_edits_a_deactivated_members_record_and_keeps_its_owner(owner, their_contact):
    url = f"/api/v1/crm/contacts/{their_contact.pk}/"
    response = owner.client.patch(url, {"title": "CTO"}, format="json")
    assert response.status_code == 200, response.json()
    # Written back as it is (a client that sends the whole representation).
    response = owner.client.patch(
        url, {"title": "CEO", "owner": their_contact.owner_id}, format="json"
    )
    assert response.status_code == 200, response.json()
    their_contact.refresh_from_db()
    assert (their_contact.title, their_contact.owner_id) == ("CEO", response.json()["owner"])


def test_lists_still_filter_by_a_deactivated_owner(owner, leaver, their_contact):
    response = owner.client.get("/api/v1/crm/contacts/", {"owner": leaver.pk})
    assert [row["id"] for row in response.json()["results"]] == [their_contact.pk]


def test_the_bulk_import_refuses_a_row_owned_by_a_deactivated_member(owner, leaver):
    response = owner.client.post(
        "/api/v1/crm/contacts/bulk-import/",
        {"contacts": [{"first_name": "Ok"}, {"first_name": "No", "owner": leaver.pk}]},
        format="json",
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["index"] == 1 and "deactivated" in error["errors"]["owner"][0]
    assert not Contact.objects.for_account(owner.account).exists()


# -- web app ------------------------------------------------------------------------


def test_the_web_form_refuses_a_deactivated_owner(owner, leaver):
    response = client_for(owner).post("/contacts/new/", {"first_name": "Ada", "owner": leaver.pk})
    assert "owner" in response.context["form"].errors
    assert not Contact.objects.for_account(owner.account).filter(first_name="Ada").exists()


def test_the_web_form_edits_a_deactivated_members_record_keeping_its_owner(
    owner, leaver, their_contact
):
    web = client_for(owner)
    page = web.get(f"/contacts/{their_contact.pk}/edit/").content.decode()
    assert "Dana Left (deactivated)" in page
    response = web.post(
        f"/contacts/{their_contact.pk}/edit/",
        {"first_name": "Kept", "last_name": "Edited", "owner": leaver.pk},
    )
    assert response.status_code == 302
    their_contact.refresh_from_db()
    assert (their_contact.last_name, their_contact.owner_id) == ("Edited", leaver.pk)


@pytest.mark.parametrize("kind", ["contact", "company", "deal"])
def test_a_record_page_marks_its_owner_deactivated_and_only_then(owner, leaver, kind):
    factory = {"contact": ContactFactory, "company": CompanyFactory, "deal": DealFactory}[kind]
    path = {"contact": "/contacts/{}/", "company": "/companies/{}/", "deal": "/deals/{}/"}[kind]
    web = client_for(owner)
    theirs = factory(account=owner.account, owner=leaver)
    mine = factory(account=owner.account, owner=owner.user)
    page = web.get(path.format(theirs.pk)).content.decode()
    assert "Dana Left" in page and ">Deactivated</span>" in page
    assert ">Deactivated</span>" not in web.get(path.format(mine.pk)).content.decode()


def test_the_owner_picker_offers_no_deactivated_member(owner, leaver):
    html = client_for(owner).get("/pickers/owners/?q=", **HTMX).content.decode()
    assert f'data-value="{owner.user.pk}"' in html
    assert f'data-value="{leaver.pk}"' not in html


def test_the_bulk_assign_refuses_a_deactivated_member_but_the_filter_offers_them(
    owner, leaver, account
):
    web = client_for(owner)
    page = web.get("/contacts/").content.decode()
    filter_menu, bulk_menu = page.split('id="bulk-owner"')
    assert "Dana Left (deactivated)" in filter_menu and "Dana" not in bulk_menu
    contact = ContactFactory(account=account)
    response = web.post(
        "/contacts/bulk/",
        {"ids": [contact.pk], "action": "assign_owner", "owner": leaver.pk},
        follow=True,
    )
    contact.refresh_from_db()
    assert contact.owner_id is None
    assert "Pick a member of this account." in response.content.decode()


# -- CSV import ------------------------------------------------------------------------


def test_a_csv_row_naming_a_deactivated_member_is_a_row_error(account, owner, leaver):
    directory = Directory(account, {"owner": {"dana", "olivia"}})
    assert directory.member("olivia") == owner.user
    with pytest.raises(LookupError, match="“Dana” is deactivated in this account"):
        directory.member("Dana")


# -- admin -------------------------------------------------------------------------------


@pytest.fixture
def staff(account):
    user = UserFactory(username="stella", is_staff=True, is_superuser=True)
    Membership.objects.create(account=account, user=user, role=Membership.Role.ADMIN)
    client = Client()
    client.force_login(user)
    return client


def admin_contact(account, owner_id, **fields):
    return {
        "account": account.pk,
        "first_name": "Ada",
        "last_name": "",
        "email": "",
        "phone": "",
        "title": "",
        "owner": owner_id or "",
        "custom_fields": "{}",
        "tag_links-TOTAL_FORMS": "0",
        "tag_links-INITIAL_FORMS": "0",
        **fields,
    }


def test_the_admin_refuses_a_deactivated_owner(staff, account, leaver, owner):
    response = staff.post("/admin/contacts/contact/add/", admin_contact(account, leaver.pk))
    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors
    assert not Contact.objects.for_account(account).exists()
    response = staff.post("/admin/contacts/contact/add/", admin_contact(account, owner.user.pk))
    assert response.status_code == 302


def test_the_admin_refuses_a_member_of_another_account_as_owner(staff, account, outsider):
    response = staff.post("/admin/contacts/contact/add/", admin_contact(account, outsider.user.pk))
    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors


def test_the_admin_owner_autocomplete_offers_no_deactivated_member(staff, leaver, owner):
    response = staff.get(
        "/admin/autocomplete/",
        {"app_label": "contacts", "model_name": "contact", "field_name": "owner", "term": ""},
    )
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert owner.user.pk in ids and leaver.pk not in ids


def test_the_admin_edits_a_deactivated_members_record_keeping_its_owner(
    staff, account, leaver, their_contact
):
    response = staff.post(
        f"/admin/contacts/contact/{their_contact.pk}/change/",
        admin_contact(account, leaver.pk, first_name="Kept", title="CTO"),
    )
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.formset.errors for f in response.context["inline_admin_formsets"]],
        response.context["errors"],
    )
    their_contact.refresh_from_db()
    assert (their_contact.title, their_contact.owner_id) == ("CTO", leaver.pk)


# -- notifications -------------------------------------------------------------------------


def test_a_deactivated_member_is_not_notified_of_a_record_they_keep(owner, leaver, account):
    from contacts.services import contact_merge
    from events.models import Source

    survivor = ContactFactory(account=account, owner=None)
    other = ContactFactory(account=account, owner=leaver)
    # The merge fills the survivor's empty owner from the other: an assignment event.
    contact_merge(contact=survivor, other=other, by=owner.user, source=Source.API)
    survivor.refresh_from_db()
    assert survivor.owner_id == leaver.pk
    assert not Notification.objects.for_account(account).filter(user=leaver).exists()
