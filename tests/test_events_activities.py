"""Every write to an activity, from every face (API, web app's agenda rows and timeline,
admin), goes through activities.services and appends its event in the same
transaction; nothing for a no-op or a refused write. And `POST .../reopen/`."""

import pytest
from django.db import transaction
from django.test import Client

from activities.models import Activity
from activities.services import activity_complete, activity_update
from events.models import Event, Source
from tests.factories import ActivityFactory, DealFactory, UserFactory
from tests.queries import capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/activities/"


def events_of(activity):
    return list(
        Event.objects.for_account(activity.account_id)
        .filter(record_type="activity", record_id=activity.pk)
        .order_by("id")
    )


def stored(activity):
    return Activity.objects.for_account(activity.account_id).get(pk=activity.pk)


@pytest.fixture
def task(owner):
    return ActivityFactory(account=owner.account, subject="Call back", owner=owner.user)


# -- the API ------------------------------------------------------------------------


def test_creating_updating_and_deleting_through_the_api_are_recorded(owner):
    response = owner.client.post(URL, {"subject": "Demo", "type": "meeting"}, format="json")
    assert response.status_code == 201
    activity = Activity(pk=response.json()["id"], account_id=owner.account.pk)
    patched = owner.client.patch(
        f"{URL}{activity.pk}/", {"subject": "Demo day", "type": "meeting"}, format="json"
    )
    assert patched.status_code == 200
    assert owner.client.delete(f"{URL}{activity.pk}/").status_code == 204
    created, updated, deleted = events_of(activity)
    assert [e.type for e in (created, updated, deleted)] == [
        "activity.created",
        "activity.updated",
        "activity.deleted",
    ]
    assert {(e.actor_id, e.source) for e in (created, updated, deleted)} == {(owner.user.pk, "api")}
    assert created.data == response.json()
    assert updated.changes == {"subject": ["Demo", "Demo day"]}
    assert deleted.data == patched.json()


@pytest.mark.parametrize(
    ("action", "event_type", "status"),
    [
        ("start", "activity.started", "in_progress"),
        ("complete", "activity.completed", "completed"),
        ("cancel", "activity.cancelled", "cancelled"),
    ],
)
def test_each_transition_records_its_event(owner, task, action, event_type, status):
    response = owner.client.post(f"{URL}{task.pk}/{action}/")
    assert response.status_code == 200
    (event,) = events_of(task)
    assert (event.type, event.actor_id, event.source) == (event_type, owner.user.pk, "api")
    assert event.changes["status"] == ["pending", status]
    assert event.data == response.json()


@pytest.mark.parametrize("done", ["complete", "cancel"])
def test_reopen_puts_a_done_activity_back_to_pending(owner, task, done):
    owner.client.post(f"{URL}{task.pk}/{done}/")
    response = owner.client.post(f"{URL}{task.pk}/reopen/")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["completed_at"]) == ("pending", None)
    assert stored(task).status == "pending"
    assert events_of(task)[-1].type == "activity.reopened"


@pytest.mark.parametrize("status", ["pending", "in_progress"])
def test_reopen_of_an_activity_not_done_is_a_409_and_changes_nothing(owner, task, status):
    Activity.objects.for_account(owner.account).filter(pk=task.pk).update(status=status)
    response = owner.client.post(f"{URL}{task.pk}/reopen/")
    assert response.status_code == 409
    assert "detail" in response.json()
    assert stored(task).status == status
    assert events_of(task) == []


def test_reopen_of_another_accounts_activity_is_a_404(outsider, task):
    assert outsider.client.post(f"{URL}{task.pk}/reopen/").status_code == 404


def test_a_patch_that_changes_nothing_appends_nothing(owner, task):
    response = owner.client.patch(f"{URL}{task.pk}/", {"subject": "Call back"}, format="json")
    assert response.status_code == 200
    assert events_of(task) == []


def test_a_patch_never_writes_the_status(owner, task):
    with capture_queries() as queries:
        owner.client.patch(f"{URL}{task.pk}/", {"description": "Ask for Ann"}, format="json")
    (update,) = [sql for sql in queries.sql if sql.startswith('UPDATE "activities_activity"')]
    set_clause = update.split(" SET ", 1)[1].split(" WHERE ", 1)[0]
    assert '"description"' in set_clause
    assert '"status"' not in set_clause and '"completed_at"' not in set_clause


def test_a_stale_copy_never_undoes_a_completion(owner, task):
    stale = stored(task)
    activity_complete(activity=task, by=owner.user, source=Source.API)
    activity_update(activity=stale, by=owner.user, source=Source.API, data={"subject": "X"})
    after = stored(task)
    assert (after.status, after.subject) == ("completed", "X")


def test_a_refused_transition_and_a_rolled_back_one_leave_no_event(owner, task):
    owner.client.post(f"{URL}{task.pk}/cancel/")
    assert owner.client.post(f"{URL}{task.pk}/complete/").status_code == 409
    assert owner.client.post(f"{URL}{task.pk}/start/").status_code == 409
    with pytest.raises(RuntimeError), transaction.atomic():
        owner.client.post(f"{URL}{task.pk}/reopen/")
        raise RuntimeError("the request failed after the reopen")
    assert [e.type for e in events_of(task)] == ["activity.cancelled"]
    assert stored(task).status == "cancelled"


# -- the web app --------------------------------------------------------------------


def test_the_agenda_rows_record_their_actions_as_the_signed_in_user(owner, task):
    client = client_for(owner)
    assert client.post(f"/agenda/activities/{task.pk}/start/").status_code == 302
    assert client.post(f"/agenda/activities/{task.pk}/complete/").status_code == 302
    events = events_of(task)
    assert [e.type for e in events] == ["activity.started", "activity.completed"]
    assert {(e.actor_id, e.source) for e in events} == {(owner.user.pk, "ui")}


def test_a_task_logged_on_a_timeline_and_completed_there_is_recorded(owner, pipeline):
    deal = DealFactory(pipeline=pipeline)
    client = client_for(owner)
    response = client.post(
        f"/timeline/deal/{deal.pk}/log/",
        {"kind": "task", "log-task-subject": "Send the quote", "log-task-owner": owner.user.pk},
    )
    assert response.status_code == 302
    activity = Activity.objects.for_account(owner.account).get(subject="Send the quote")
    assert (activity.deal_id, activity.type) == (deal.pk, "task")
    client.post(f"/timeline/activities/{activity.pk}/complete/")
    created, completed = events_of(activity)
    assert (created.type, created.source, created.actor_id) == (
        "activity.created",
        "ui",
        owner.user.pk,
    )
    assert created.data["deal"] == deal.pk
    assert (completed.type, completed.source) == ("activity.completed", "ui")


# -- the admin ----------------------------------------------------------------------


def test_the_admin_records_edits_completions_and_deletes(owner, task):
    client = Client()
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        f"/admin/activities/activity/{task.pk}/change/",
        {
            "account": task.account_id,
            "type": task.type,
            "subject": "From the admin",
            "description": "",
            "due_at_0": "",
            "due_at_1": "",
            "contact": "",
            "company": "",
            "deal": "",
            "owner": owner.user.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.post(
        "/admin/activities/activity/", {"action": "mark_completed", "_selected_action": [task.pk]}
    )
    client.post(f"/admin/activities/activity/{task.pk}/delete/", {"post": "yes"})
    events = events_of(task)
    assert [e.type for e in events] == [
        "activity.updated",
        "activity.completed",
        "activity.deleted",
    ]
    assert {(e.actor_id, e.source) for e in events} == {(admin.pk, "admin")}
    assert events[0].changes == {"subject": ["Call back", "From the admin"]}


def test_the_admins_bulk_delete_records_each_activity(owner):
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    activities = ActivityFactory.create_batch(2, account=owner.account, owner=owner.user)
    response = client.post(
        "/admin/activities/activity/",
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [a.pk for a in activities],
        },
    )
    assert response.status_code == 302
    assert not Activity.objects.for_account(owner.account).exists()
    assert [[e.type for e in events_of(a)] for a in activities] == [["activity.deleted"]] * 2
