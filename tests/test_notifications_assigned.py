"""`assigned`: another user makes a user the owner of a record, on create or change,
through any face; assigning to yourself notifies nobody."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from events.models import Source
from notifications.models import Notification
from tests.factories import ActivityFactory, ContactFactory
from tests.html_forms import form_data

pytestmark = pytest.mark.django_db


def assigned(actor):
    return list(
        Notification.objects.for_account(actor.account)
        .filter(user=actor.user, kind="assigned")
        .order_by("id")
    )


@pytest.mark.parametrize(
    ("path", "body", "record_type", "title"),
    [
        ("contacts", {"first_name": "Ann", "last_name": "Lee"}, "contact", "Ann Lee"),
        ("companies", {"name": "Initech"}, "company", "Initech"),
        ("activities", {"subject": "Call Ann"}, "activity", "Call Ann"),
    ],
)
def test_creating_a_record_for_a_teammate_notifies_them(
    path, body, record_type, title, owner, teammate
):
    response = owner.client.post(
        f"/api/v1/crm/{path}/", body | {"owner": teammate.user.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    (notification,) = assigned(teammate)
    assert notification.record_type == record_type
    assert notification.record_id == response.json()["id"]
    assert notification.title == title
    assert notification.actor == owner.user
    assert assigned(owner) == []


def test_a_deal_created_for_a_teammate_notifies_them(owner, teammate, pipeline):
    response = owner.client.post(
        "/api/v1/crm/deals/",
        {"title": "Big one", "pipeline": pipeline.pk, "owner": teammate.user.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert [n.title for n in assigned(teammate)] == ["Big one"]


def test_changing_the_owner_notifies_the_new_owner_once(owner, teammate):
    contact = ContactFactory(account=owner.account, owner=owner.user)
    url = f"/api/v1/crm/contacts/{contact.pk}/"
    assert owner.client.patch(url, {"owner": teammate.user.pk}, format="json").status_code == 200
    assert owner.client.patch(url, {"title": "CEO"}, format="json").status_code == 200
    assert len(assigned(teammate)) == 1


def test_assigning_to_yourself_notifies_nobody(owner, teammate):
    owner.client.post("/api/v1/crm/contacts/", {"first_name": "Bea"}, format="json")
    contact = ContactFactory(account=owner.account, owner=teammate.user)
    teammate.client.patch(
        f"/api/v1/crm/contacts/{contact.pk}/", {"owner": owner.user.pk}, format="json"
    )
    owner.client.patch(
        f"/api/v1/crm/contacts/{contact.pk}/", {"owner": owner.user.pk}, format="json"
    )
    assert Notification.objects.for_account(owner.account).filter(user=teammate.user).count() == 0
    assert len(assigned(owner)) == 1  # the teammate's assignment, not the owner's own


def test_clearing_the_owner_notifies_nobody(owner, teammate):
    activity = ActivityFactory(account=owner.account, owner=teammate.user)
    owner.client.patch(f"/api/v1/crm/activities/{activity.pk}/", {"owner": None}, format="json")
    assert assigned(teammate) == []


def test_a_rolled_back_change_leaves_no_notification(owner, teammate):
    from django.db import transaction

    from contacts.services import contact_create

    with pytest.raises(RuntimeError), transaction.atomic():
        contact_create(
            account=owner.account,
            by=owner.user,
            source=Source.API,
            data={"first_name": "Ann", "owner": teammate.user},
        )
        raise RuntimeError("boom")
    assert assigned(teammate) == []


def test_bulk_assign_in_the_web_app_notifies_once_per_contact(owner, teammate):
    contacts = [ContactFactory(account=owner.account) for _ in range(3)]
    client = Client()
    client.force_login(owner.user)
    response = client.post(
        "/contacts/bulk/",
        {
            "ids": [c.pk for c in contacts],
            "action": "assign_owner",
            "owner": teammate.user.pk,
        },
    )
    assert response.status_code in (200, 302), response.content
    assert sorted(n.record_id for n in assigned(teammate)) == sorted(c.pk for c in contacts)


def test_the_bulk_import_notifies_each_assigned_owner(owner, teammate):
    response = owner.client.post(
        "/api/v1/crm/contacts/bulk-import/",
        {
            "contacts": [
                {"first_name": "Ann", "owner": teammate.user.pk},
                {"first_name": "Bob", "owner": teammate.user.pk},
                {"first_name": "Cy"},
            ]
        },
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    assert sorted(n.title for n in assigned(teammate)) == ["Ann", "Bob"]


def test_the_admin_change_notifies_the_new_owner(owner, teammate):
    owner.user.is_staff = True
    owner.user.save(update_fields=["is_staff"])
    owner.user.user_permissions.set(Permission.objects.filter(content_type__app_label="activities"))
    activity = ActivityFactory(account=owner.account, subject="Call Ann", owner=owner.user)
    client = Client()
    client.force_login(owner.user)
    url = f"/admin/activities/activity/{activity.pk}/change/"
    data = form_data(client.get(url).content.decode(), "activity_form")
    data["owner"] = [str(teammate.user.pk)]
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    (notification,) = assigned(teammate)
    assert notification.record_type == "activity" and notification.title == "Call Ann"


def test_a_web_task_for_a_teammate_notifies_them(owner, teammate):
    contact = ContactFactory(account=owner.account)
    client = Client()
    client.force_login(owner.user)
    client.post(
        f"/timeline/contact/{contact.pk}/log/",
        {
            "kind": "task",
            "log-task-subject": "Send the proposal",
            "log-task-owner": teammate.user.pk,
        },
    )
    assert [n.title for n in assigned(teammate)] == ["Send the proposal"]
