"""Django admin: staff see their own accounts' rows; superusers see all."""

import pytest
from django.test import Client

from accounts.models import Membership
from contacts.models import Contact, ContactTag
from deals.services import deal_win
from events.models import Source
from tests.factories import (
    AccountFactory,
    ContactFactory,
    ContactTagFactory,
    MembershipFactory,
    TagFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(account):
    user = UserFactory(username="stella", is_staff=True)
    MembershipFactory(account=account, user=user, role=Membership.Role.ADMIN)
    from django.contrib.auth.models import Permission

    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=[
                "contacts",
                "accounts",
                "companies",
                "deals",
                "activities",
                "notes",
            ]
        )
    )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def superuser():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_see_only_their_accounts_contacts(staff, account, other_account):
    ContactFactory(account=account, first_name="Mine")
    ContactFactory(account=other_account, first_name="Theirs")
    page = staff.get("/admin/contacts/contact/").content.decode()
    assert "Mine" in page and "Theirs" not in page


def test_staff_get_404_on_another_accounts_contact(staff, other_account):
    theirs = ContactFactory(account=other_account)
    for page in ("change", "delete", "history"):
        response = staff.get(f"/admin/contacts/contact/{theirs.pk}/{page}/")
        assert response.status_code == 404, page
        assert str(theirs) not in response.content.decode()
    missing = staff.get("/admin/contacts/contact/999999/change/")
    assert missing.status_code == 404  # the same answer: existence is not revealed
    assert staff.post(f"/admin/contacts/contact/{theirs.pk}/change/", {}).status_code == 404
    assert str(theirs) not in staff.get("/admin/contacts/contact/").content.decode()


def test_staff_search_and_filters_work_and_stay_scoped(staff, account, other_account):
    ContactFactory(account=account, first_name="Zelda", email="z@mine.com")
    ContactFactory(account=other_account, first_name="Zelda", email="z@theirs.com")
    tag = TagFactory(account=account, name="mine-tag")
    TagFactory(account=other_account, name="their-tag")
    page = staff.get("/admin/contacts/contact/", {"q": "zelda"}).content.decode()
    assert "z@mine.com" in page and "z@theirs.com" not in page
    assert "mine-tag" in page and "their-tag" not in page  # the tag list filter
    filtered = staff.get("/admin/contacts/contact/", {"tags__id__exact": tag.pk})
    assert filtered.status_code == 200


def test_superusers_see_every_account(superuser, account, other_account):
    ContactFactory(account=account, first_name="Mine")
    ContactFactory(account=other_account, first_name="Theirs")
    page = superuser.get("/admin/contacts/contact/").content.decode()
    assert "Mine" in page and "Theirs" in page


def test_owner_choices_are_the_accounts_members(staff, account, other_account):
    UserFactory(username="stranger")
    MembershipFactory(account=other_account, user__username="elsewhere")
    MembershipFactory(account=account, user__username="colleague")
    page = staff.get("/admin/accounts/user/").content.decode()
    assert "colleague" in page and "elsewhere" not in page and "stranger" not in page


def test_tag_autocomplete_offers_only_the_accounts_tags(staff, account, other_account):
    TagFactory(account=account, name="mine-tag")
    TagFactory(account=other_account, name="their-tag")
    response = staff.get(
        "/admin/autocomplete/",
        {"term": "", "app_label": "contacts", "model_name": "contacttag", "field_name": "tag"},
    )
    names = {r["text"] for r in response.json()["results"]}
    assert names == {"mine-tag"}


def test_staff_can_add_a_contact_with_a_tag_through_the_admin(staff, account):
    tag = TagFactory(account=account, name="vip")
    response = staff.post(
        "/admin/contacts/contact/add/",
        {
            "account": account.pk,
            "first_name": "Ada",
            "last_name": "Byron",
            "email": "ADA@example.com",
            "phone": "",
            "title": "",
            "owner": "",
            "custom_fields": "{}",
            "tag_links-TOTAL_FORMS": "1",
            "tag_links-INITIAL_FORMS": "0",
            "tag_links-0-tag": tag.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    contact = Contact.objects.for_account(account).get()
    assert contact.email == "ada@example.com"
    assert ContactTag.objects.for_account(account).get().account_id == account.pk


def test_the_admin_refuses_another_accounts_tag_on_a_contact(superuser, account, other_account):
    foreign = TagFactory(account=other_account, name="foreign")
    response = superuser.post(
        "/admin/contacts/contact/add/",
        {
            "account": account.pk,
            "first_name": "Ada",
            "custom_fields": "{}",
            "tag_links-TOTAL_FORMS": "1",
            "tag_links-INITIAL_FORMS": "0",
            "tag_links-0-tag": foreign.pk,
        },
    )
    assert response.status_code == 200  # the form is shown again with an error
    assert not Contact.objects.for_account(account).exists()


def test_staff_cannot_put_a_contact_in_an_account_they_are_not_in(staff, other_account):
    response = staff.post(
        "/admin/contacts/contact/add/",
        {
            "account": other_account.pk,
            "first_name": "Eve",
            "custom_fields": "{}",
            "tag_links-TOTAL_FORMS": "0",
            "tag_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert not Contact.objects.for_account(other_account).exists()


def test_admin_changelist_queries_do_not_grow(staff, account):
    from tests.queries import assert_same_count, capture_queries

    def count():
        with capture_queries() as ctx:
            assert staff.get("/admin/contacts/contact/").status_code == 200
        return ctx

    ContactTagFactory.create_batch(
        3, contact__account=account, account=account, tag__account=account
    )
    small = count()
    ContactTagFactory.create_batch(
        40, contact__account=account, account=account, tag__account=account
    )
    assert_same_count(small, count())


def test_an_account_without_staff_membership_shows_nothing(staff):
    AccountFactory()
    page = staff.get("/admin/accounts/account/").content.decode()
    assert "Acme" in page


def test_company_admin_lists_contacts_and_subsidiaries(staff, account):
    from tests.factories import CompanyFactory

    parent = CompanyFactory(account=account, name="Parent Co")
    CompanyFactory(account=account, name="Kid Co", parent=parent)
    ContactFactory(account=account, company=parent, first_name="Zora", email="zora@x.com")
    page = staff.get(f"/admin/companies/company/{parent.pk}/change/").content.decode()
    assert "Kid Co" in page and "zora@x.com" in page


def test_company_parent_autocomplete_is_scoped(staff, account, other_account):
    from tests.factories import CompanyFactory

    CompanyFactory(account=account, name="Mine Co")
    CompanyFactory(account=other_account, name="Theirs Co")
    response = staff.get(
        "/admin/autocomplete/",
        {"term": "co", "app_label": "companies", "model_name": "company", "field_name": "parent"},
    )
    assert {r["text"] for r in response.json()["results"]} == {"Mine Co"}


def test_the_admin_refuses_a_cycle_in_the_company_tree(superuser, account):
    from companies.models import Company
    from tests.factories import CompanyFactory

    top = CompanyFactory(account=account, name="Top")
    child = CompanyFactory(account=account, name="Child", parent=top)
    response = superuser.post(
        f"/admin/companies/company/{top.pk}/change/",
        {
            "account": account.pk,
            "name": "Top",
            "domain": "",
            "industry": "",
            "size": "",
            "parent": child.pk,
            "owner": "",
            "custom_fields": "{}",
            "tag_links-TOTAL_FORMS": "0",
            "tag_links-INITIAL_FORMS": "0",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "own ancestor" in response.content.decode()
    assert Company.objects.for_account(account).get(pk=top.pk).parent_id is None


def test_staff_cannot_make_anyone_a_superuser(staff, account):
    from accounts.models import User

    colleague = MembershipFactory(account=account, user__username="colleague").user
    page = staff.get(f"/admin/accounts/user/{colleague.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "is_superuser" not in form.fields and "is_staff" not in form.fields
    assert not User.objects.get(pk=colleague.pk).is_superuser


def test_staff_can_only_add_members_from_their_accounts(staff, account):
    from django.contrib.admin.sites import site

    from accounts.models import User

    stranger = UserFactory(username="stranger")
    account_admin = site._registry[type(account)]
    request = staff.get("/admin/").wsgi_request
    request.user = User.objects.get(username="stella")
    inline = account_admin.get_inline_instances(request, account)[0]
    field = inline.formfield_for_foreignkey(inline.model._meta.get_field("user"), request)
    assert stranger not in field.queryset
    assert request.user in field.queryset


def test_deal_admin_actions_use_the_state_machine(staff, account):
    from django.contrib.auth.models import Permission

    from deals.models import Deal
    from tests.factories import DealFactory

    user = staff.get("/admin/").wsgi_request.user
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="deals"))
    open_deal = DealFactory(pipeline__account=account)
    won = DealFactory(pipeline__account=account)
    deal_win(deal=won, by=None, source=Source.SYSTEM)
    closed_at = won.closed_at
    response = staff.post(
        "/admin/deals/deal/", {"action": "mark_lose", "_selected_action": [open_deal.pk, won.pk]}
    )
    assert response.status_code == 302
    deals = {d.pk: d for d in Deal.objects.for_account(account)}
    assert deals[open_deal.pk].status == "lost" and deals[open_deal.pk].closed_at
    assert deals[won.pk].status == "won" and deals[won.pk].closed_at == closed_at


def test_the_deal_admin_refuses_a_stage_of_another_pipeline(superuser, account):
    from deals.models import Deal, Stage
    from tests.factories import PipelineFactory

    pipeline = PipelineFactory(account=account)
    other = (
        Stage.objects.for_account(account).filter(pipeline=PipelineFactory(account=account)).first()
    )
    response = superuser.post(
        "/admin/deals/deal/add/",
        {
            "account": account.pk,
            "title": "X",
            "pipeline": pipeline.pk,
            "stage": other.pk,
            "value_cents": 0,
            "currency": "USD",
        },
    )
    assert response.status_code == 200
    assert not Deal.objects.for_account(account).exists()


def test_activity_and_note_admins_are_scoped(staff, account, other_account):
    from tests.factories import ActivityFactory, NoteFactory

    ActivityFactory(account=account, subject="Mine to do")
    ActivityFactory(account=other_account, subject="Theirs to do")
    NoteFactory(account=account, body="mine-note")
    NoteFactory(account=other_account, body="their-note")
    page = staff.get("/admin/activities/activity/").content.decode()
    assert "Mine to do" in page and "Theirs to do" not in page
    page = staff.get("/admin/notes/note/").content.decode()
    assert "mine-note" in page and "their-note" not in page


def test_notes_saved_in_the_admin_are_sanitised(superuser, account):
    from notes.models import Note

    response = superuser.post(
        "/admin/notes/note/add/",
        {
            "account": account.pk,
            "body": "<script>x()</script><p>ok</p>",
            "kind": "note",
            "direction": "",
            "occurred_at_0": "2026-01-01",
            "occurred_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Note.objects.for_account(account).get().body == "<p>ok</p>"


def test_an_inline_row_of_another_account_is_refused_not_edited(superuser, account, other_account):
    from deals.models import Stage
    from tests.factories import PipelineFactory

    mine = PipelineFactory(account=account, name="Mine", stages=[("Lead", 10)])
    theirs = (
        Stage.objects.for_account(other_account)
        .filter(pipeline=PipelineFactory(account=other_account, stages=[("Secret", 40)]))
        .get()
    )
    response = superuser.post(
        f"/admin/deals/pipeline/{mine.pk}/change/",
        {
            "account": account.pk,
            "name": "Mine",
            "stages-TOTAL_FORMS": "1",
            "stages-INITIAL_FORMS": "1",
            "stages-0-id": theirs.pk,
            "stages-0-pipeline": mine.pk,
            "stages-0-position": "0",
            "stages-0-name": "Hijacked",
            "stages-0-probability": "99",
        },
    )
    assert response.status_code == 200  # the form again, with the row's error
    [stages] = response.context["inline_admin_formsets"]
    assert "id" in stages.formset.errors[0]
    assert Stage.objects.for_account(other_account).get(pk=theirs.pk).name == "Secret"
