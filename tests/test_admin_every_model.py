"""Every model the admin registers, for a superuser and for staff of one account: a
change form posted back exactly as it was shown saves (302), inline rows and all; the
add form, filled with a deleted record's values, creates it again (302); where a page
is refused by design, it is refused with exactly 403. And staff of one account, holding
every model permission there is, never reach another account's record.

Models are enumerated from `admin.site._registry`: a newly registered model fails
`test_every_registered_model_has_a_sample` until it is taught below (SAMPLES).
"""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group, Permission
from django.forms import PasswordInput
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.authtoken.models import Token, TokenProxy

from accounts.admin_base import SuperuserOnlyAdmin
from accounts.models import Account, Membership, Tag, User
from activities.models import Activity
from companies.models import Company
from contacts.models import Contact
from customfields.models import CustomFieldDefinition
from deals.models import Deal, Pipeline, Stage
from events.kinds import kind_named
from events.models import Source
from notes.models import Note
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    CompanyTagFactory,
    ContactFactory,
    ContactTagFactory,
    CustomFieldDefinitionFactory,
    DealFactory,
    MembershipFactory,
    NoteFactory,
    PipelineFactory,
    TagFactory,
    UserFactory,
)
from tests.html_forms import form_data
from trash.models import TrashedRecord
from trash.services import records_trash

pytestmark = pytest.mark.django_db


def a_company(account):
    """A company with a parent, a subsidiary, contacts and a tag: every inline filled."""
    parent = CompanyFactory(account=account, name="Holding")
    company = CompanyFactory(account=account, name="Initech", parent=parent)
    CompanyFactory(account=account, name="Initech Labs", parent=company)
    ContactFactory(account=account, company=company)
    ContactFactory(account=account, company=company)
    CompanyTagFactory(company=company)
    return company


def a_tagged_contact(account):
    contact = ContactFactory(account=account, company=CompanyFactory(account=account))
    ContactTagFactory(contact=contact, tag=TagFactory(account=account))
    ContactTagFactory(contact=contact, tag=TagFactory(account=account))
    return contact


def a_deal(account):
    contact = a_tagged_contact(account)
    return DealFactory(
        pipeline=PipelineFactory(account=account), contact=contact, company=contact.company
    )


def a_trashed_contact(account):
    contact = a_tagged_contact(account)
    records_trash(kind_named("contact"), rows=[contact], by=None, source=Source.UI)
    return TrashedRecord.objects.for_account(account).get(record_id=contact.pk)


def a_teammate(account):
    return MembershipFactory(account=account, user__username="teammate").user


# Each builder makes a record of `account` with related rows, and returns it.
SAMPLES = {
    Account: lambda account: MembershipFactory(account=account).account,
    User: a_teammate,
    Tag: lambda account: ContactTagFactory(contact__account=account).tag,
    Company: a_company,
    Contact: a_tagged_contact,
    Pipeline: lambda account: PipelineFactory(account=account),
    Stage: lambda account: PipelineFactory(account=account).stages.first(),
    Deal: a_deal,
    Activity: lambda account: ActivityFactory(
        account=account, contact=a_tagged_contact(account), deal=a_deal(account)
    ),
    Note: lambda account: NoteFactory(account=account, contact=a_tagged_contact(account)),
    TrashedRecord: a_trashed_contact,
    CustomFieldDefinition: lambda account: CustomFieldDefinitionFactory(
        account=account, key="source", type="select", options=["web", "ads"]
    ),
    TokenProxy: lambda account: TokenProxy.objects.get(
        pk=Token.objects.create(user=a_teammate(account)).pk
    ),
    Group: lambda account: (
        Group.objects.create(name="Sales leads").permissions.add(
            *Permission.objects.filter(codename__startswith="view_")
        )
        or Group.objects.get()
    ),
    DBTaskResult: lambda account: DBTaskResult.objects.create(
        task_path="contacts.tasks.write_contact_import",
        args_kwargs={"args": [account.pk, 1], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="",
        traceback="",
    ),
}

# DRF's token admin finds a token by its user's id (TokenAdmin.get_object).
URL_IDS = {TokenProxy: lambda token: token.user_id}

# Site-wide tables hold every account's data: superusers only, whatever permissions a
# staff user holds (accounts/admin.py).
SITE_WIDE = {Group, TokenProxy, DBTaskResult}
# Only superusers create accounts.
STAFF_CANNOT_ADD = {Account}
# The task results' own admin (django_tasks_db) is read-only by design, and so is the
# trash (what a record was is kept as it was; it is restored or purged, never edited).
READ_ONLY = {DBTaskResult, TrashedRecord}


def registered_models():
    return [pytest.param(model, id=model._meta.label) for model in admin.site._registry]


def test_every_registered_model_has_a_sample():
    missing = [m._meta.label for m in admin.site._registry if m not in SAMPLES]
    assert not missing, f"teach tests/test_admin_every_model.py SAMPLES about {missing}"


@pytest.fixture
def superuser_client():
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def staff_client(account):
    """An admin of `account` holding every model permission there is."""
    user = UserFactory(username="stella", is_staff=True)
    MembershipFactory(account=account, user=user, role=Membership.Role.ADMIN)
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_id(model):
    return f"{model._meta.model_name}_form"


def expected(model, as_staff):
    """(add page, change page, change posted back) statuses for this model and user."""
    if as_staff and model in SITE_WIDE:
        return 403, 403, 403
    if model in READ_ONLY:
        return 403, 200, 403
    return (403 if as_staff and model in STAFF_CANNOT_ADD else 200), 200, 302


def change_url(model, record):
    return admin_url(model, "change", quote(URL_IDS.get(model, lambda r: r.pk)(record)))


def as_a_new_record(change_data, add_page):
    """The change form's values as the add form would post them: inline rows become new
    rows (no id, no parent yet), rows of inlines that cannot add are dropped, and
    password fields, which a change form never shows, are typed in."""
    data = {**form_data(add_page.text, form_id(add_page.context["opts"].model)), **change_data}
    for inline in add_page.context["inline_admin_formsets"]:
        formset, prefix = inline.formset, inline.formset.prefix
        rows = int(change_data[f"{prefix}-TOTAL_FORMS"][0]) if inline.has_add_permission else 0
        for key in [k for k in data if k.startswith(f"{prefix}-") and k[len(prefix) + 1].isdigit()]:
            row = int(key[len(prefix) + 1 :].split("-", 1)[0])
            field = key.rsplit("-", 1)[1]
            if row >= rows:
                del data[key]
            elif field in (formset.model._meta.pk.name, formset.fk.name):
                data[key] = [""]
        data[f"{prefix}-TOTAL_FORMS"], data[f"{prefix}-INITIAL_FORMS"] = [str(rows)], ["0"]
    for name, field in add_page.context["adminform"].form.fields.items():
        if isinstance(field.widget, PasswordInput):
            data[name] = ["Fresh-Passw0rd-42"]
    return data


def row_counts(model, add_page):
    """How many rows the model and the inlines the add form can fill have."""
    models = [
        model,
        *(
            inline.formset.model
            for inline in add_page.context["inline_admin_formsets"]
            if inline.has_add_permission
        ),
    ]
    return {m._meta.label: m._base_manager.count() for m in models}


@pytest.mark.parametrize("as_staff", [False, True], ids=["superuser", "staff"])
@pytest.mark.parametrize("model", registered_models())
def test_a_change_form_posted_back_unchanged_saves(model, as_staff, account, request):
    client = request.getfixturevalue("staff_client" if as_staff else "superuser_client")
    url = change_url(model, SAMPLES[model](account))
    _add_status, change_status, save_status = expected(model, as_staff)

    change = client.get(url)
    assert change.status_code == change_status
    data = form_data(change.text, form_id(model)) if change_status == 200 else {}
    saved = client.post(url, {**data, "_save": "Save"})
    assert saved.status_code == save_status, saved.text[:3000]
    if save_status == 302:
        assert saved.url == admin_url(model, "changelist")


@pytest.mark.parametrize("as_staff", [False, True], ids=["superuser", "staff"])
@pytest.mark.parametrize("model", registered_models())
def test_an_add_form_filled_with_a_records_values_saves(model, as_staff, account, request):
    """The record's change form, its related rows included, posted to the add form once
    the record is gone: the admin creates it again, inline rows and all."""
    client = request.getfixturevalue("staff_client" if as_staff else "superuser_client")
    record = SAMPLES[model](account)
    add_status = expected(model, as_staff)[0]
    if add_status != 200:
        assert client.get(admin_url(model, "add")).status_code == add_status
        assert client.post(admin_url(model, "add"), {}).status_code == add_status
        return
    change_data = form_data(client.get(change_url(model, record)).text, form_id(model))
    add_page = client.get(admin_url(model, "add"))
    assert add_page.status_code == 200
    before = row_counts(model, add_page)
    record.delete()

    added = client.post(admin_url(model, "add"), as_a_new_record(change_data, add_page))
    assert added.status_code == 302, added.text[:3000]
    assert row_counts(model, add_page) == before


@pytest.mark.parametrize("model", registered_models())
def test_staff_never_reach_another_accounts_record(model, staff_client, other_account):
    url = change_url(model, SAMPLES[model](other_account))
    page = staff_client.get(url)
    # A record outside the staff user's queryset does not exist (404); a site-wide
    # table refuses outright.
    site_wide = isinstance(admin.site._registry[model], SuperuserOnlyAdmin)
    assert page.status_code == (403 if site_wide else 404), page.status_code
    assert staff_client.post(url, {}).status_code == page.status_code
    listing = staff_client.get(admin_url(model, "changelist"))
    assert listing.status_code in (200, 403)
    assert url not in listing.text
