"""The admin's History page of every CRM record shows its events: who, when, from
where and what changed; staff reach only their accounts' records."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from accounts.admin_base import AccountScopedAdmin
from accounts.models import Membership
from events.models import RECORD_TYPES, Source
from events.services import EventDraft, event_append, events_append
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    MembershipFactory,
    NoteFactory,
    UserFactory,
)
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db

RECORDS = {
    "contact": lambda account: ContactFactory(account=account),
    "company": lambda account: CompanyFactory(account=account),
    "deal": lambda account: DealFactory(pipeline__account=account),
    "activity": lambda account: ActivityFactory(account=account),
    "note": lambda account: NoteFactory(account=account),
}


@pytest.fixture
def staff(account):
    """An admin of `account` holding every model permission there is."""
    user = UserFactory(username="stella", is_staff=True)
    MembershipFactory(account=account, user=user, role=Membership.Role.ADMIN)
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    return client


def history_url(record):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[record.pk])


def test_every_record_type_has_a_scoped_admin():
    admins = {
        model._meta.model_name: model_admin for model, model_admin in admin.site._registry.items()
    }
    for record_type in RECORD_TYPES:
        assert isinstance(admins[record_type], AccountScopedAdmin), record_type


@pytest.mark.parametrize("record_type", RECORDS)
def test_a_records_history_page_shows_who_changed_what_when_and_from_where(
    staff, owner, record_type
):
    record = RECORDS[record_type](owner.account)
    event_append(
        account=owner.account,
        by=owner.user,
        source=Source.API,
        record_type=record_type,
        record_id=record.pk,
        action="updated",
        changes={"title": ["Old title", "New title"]},
    )
    event_append(
        account=owner.account,
        by=None,
        source=Source.IMPORT,
        record_type=record_type,
        record_id=record.pk,
        action="created",
    )
    # Another record's events, and another kind of record with the same id, stay out.
    event_append(
        account=owner.account,
        by=owner.user,
        source=Source.UI,
        record_type=record_type,
        record_id=record.pk + 1000,
        action="deleted",
    )
    event_append(
        account=owner.account,
        by=owner.user,
        source=Source.UI,
        record_type="note" if record_type != "note" else "deal",
        record_id=record.pk,
        action="won",
    )

    page = staff.get(history_url(record))
    assert page.status_code == 200
    rows = page.context["record_events"]
    assert [event.type for event in rows] == [f"{record_type}.created", f"{record_type}.updated"]
    html = page.content.decode()
    assert html.count('class="record-event"') == 2
    assert "olivia" in html and "system" in html
    assert "API" in html and "Import" in html
    assert "Old title" in html and "New title" in html
    assert ".deleted" not in html and ".won" not in html


def test_a_record_without_changes_says_so(staff, account):
    page = staff.get(history_url(ContactFactory(account=account)))
    assert page.status_code == 200
    assert "No recorded changes yet." in page.content.decode()


def test_staff_cannot_read_another_accounts_record_history(staff, outsider):
    contact = ContactFactory(account=outsider.account)
    event_append(
        account=outsider.account,
        by=outsider.user,
        source=Source.API,
        record_type="contact",
        record_id=contact.pk,
        action="updated",
        changes={"email": ["secret@globex.io", "other@globex.io"]},
    )
    page = staff.get(history_url(contact))
    assert page.status_code == 404
    assert "secret@globex.io" not in page.content.decode()


def test_the_history_page_takes_as_many_queries_for_80_events_as_for_2(staff, account):
    def queries_for(count):
        contact = ContactFactory(account=account)
        events_append(
            account=account,
            by=UserFactory(),
            source=Source.ADMIN,
            drafts=[
                EventDraft(
                    record_type="contact",
                    record_id=contact.pk,
                    action="updated",
                    changes={"n": [n, n + 1]},
                )
                for n in range(count)
            ],
        )
        staff.get(history_url(contact))
        with capture_queries() as captured:
            assert staff.get(history_url(contact)).status_code == 200
        return captured

    assert_same_count(queries_for(2), queries_for(80))
