"""Appending events: in the change's transaction, no-ops dropped, one turn per account."""

import threading
import time

import pytest
from django.db import connection, transaction

from events.models import Event, Source
from events.services import (
    EventDraft,
    changes_between,
    event_append,
    events_append,
    take_event_turn,
)
from tests.factories import AccountFactory, UserFactory
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db


def test_an_event_records_who_where_what_and_the_changes(owner):
    event = event_append(
        account=owner.account,
        by=owner.user,
        source=Source.API,
        record_type="contact",
        record_id=42,
        action="updated",
        changes={"email": ["a@x.io", "b@x.io"]},
        data={"id": 42},
    )
    stored = Event.objects.for_account(owner.account).get()
    assert stored == event
    assert (stored.type, stored.actor_id, stored.source) == (
        "contact.updated",
        owner.user.pk,
        "api",
    )
    assert (stored.record_type, stored.record_id, stored.action) == ("contact", 42, "updated")
    assert stored.changes == {"email": ["a@x.io", "b@x.io"]}
    assert stored.data == {"id": 42}


def test_an_update_that_changed_nothing_appends_nothing(owner):
    assert (
        event_append(
            account=owner.account,
            by=owner.user,
            source=Source.UI,
            record_type="deal",
            record_id=1,
            action="updated",
        )
        is None
    )
    assert not Event.objects.for_account(owner.account).exists()


def test_a_change_that_rolls_back_leaves_no_event(owner):
    with pytest.raises(RuntimeError), transaction.atomic():
        event_append(
            account=owner.account,
            by=None,
            source=Source.SYSTEM,
            record_type="note",
            record_id=1,
            action="created",
        )
        raise RuntimeError("the change failed after its event")
    assert not Event.objects.for_account(owner.account).exists()


def test_a_batch_is_appended_in_a_constant_number_of_queries(owner):
    def drafts(n):
        return [
            EventDraft(record_type="contact", record_id=i, action="created")
            for i in range(1, n + 1)
        ]

    with assert_queries(at_most=4):
        events_append(account=owner.account, by=owner.user, source=Source.IMPORT, drafts=drafts(3))
    # 80 rows still fit one INSERT under SQLite's 999 parameters.
    with assert_queries(at_most=4):
        events_append(account=owner.account, by=owner.user, source=Source.IMPORT, drafts=drafts(80))
    assert Event.objects.for_account(owner.account).count() == 83


def test_an_unknown_record_type_is_refused(owner):
    with pytest.raises(ValueError):
        event_append(
            account=owner.account,
            by=None,
            source=Source.SYSTEM,
            record_type="tag",
            record_id=1,
            action="created",
        )


def test_changes_between_lists_only_the_fields_that_differ():
    before = {"email": "a@x.io", "phone": "", "tags": ["a"]}
    after = {"email": "b@x.io", "phone": "", "tags": ["a", "b"], "title": "CEO"}
    assert changes_between(before, after) == {
        "email": ["a@x.io", "b@x.io"],
        "tags": [["a"], ["a", "b"]],
        "title": [None, "CEO"],
    }


@pytest.mark.django_db(transaction=True)
def test_the_turn_needs_a_transaction(owner):
    with pytest.raises(RuntimeError):
        take_event_turn(owner.account.pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_writers_of_one_account_take_turns_until_commit_and_others_do_not_wait():
    """The order guarantee rests on this: a second writer of the same account cannot
    append until the first has committed; another account's writer does not wait."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's advisory locks")
    account, other = AccountFactory(), AccountFactory()
    user = UserFactory()
    first_appended, release_first = threading.Event(), threading.Event()
    appended_at = {}

    def first():
        with transaction.atomic():
            event_append(
                account=account,
                by=user,
                source=Source.API,
                record_type="deal",
                record_id=1,
                action="created",
            )
            first_appended.set()
            release_first.wait(10)
            appended_at["first_commit"] = time.monotonic()
        connection.close()

    done = {"same": threading.Event(), "other": threading.Event()}

    def second(acct, name):
        first_appended.wait(10)
        with transaction.atomic():
            event_append(
                account=acct,
                by=user,
                source=Source.API,
                record_type="deal",
                record_id=2,
                action="created",
            )
            appended_at[name] = time.monotonic()
        done[name].set()
        connection.close()

    threads = [
        threading.Thread(target=first),
        threading.Thread(target=second, args=(account, "same")),
        threading.Thread(target=second, args=(other, "other")),
    ]
    for thread in threads:
        thread.start()
    first_appended.wait(10)
    # The other account's writer must finish while the first still holds its turn (a
    # fixed sleep was too short when the machine was busy); the same account's waits.
    assert done["other"].wait(10)
    assert not done["same"].wait(0.5)
    release_first.set()
    for thread in threads:
        thread.join(20)
    assert appended_at["other"] < appended_at["first_commit"] < appended_at["same"]
    ids = list(
        Event.objects.for_account(account).order_by("id").values_list("record_id", flat=True)
    )
    assert ids == [1, 2]
