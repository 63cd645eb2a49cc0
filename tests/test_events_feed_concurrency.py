"""The feed's guarantee under concurrent writers: a poller following `next_after`
sees every committed event exactly once, in id order, and no rolled-back one."""

import random
import threading
import time

import pytest
from django.db import connection, transaction

from events.models import Source
from events.services import EventDraft, event_append, events_append
from tests.factories import AccountFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
FEED = "/api/v1/crm/events/"


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")


class RolledBack(Exception):
    pass


def poll(client, after, limit=100):
    """One page of the feed after `after`: (ids, next_after)."""
    body = client.get(FEED, {"after": after, "limit": limit}).json()
    return [event["id"] for event in body["results"]], body["next_after"]


def append_one(account, record_id):
    return event_append(
        account=account,
        by=None,
        source=Source.SYSTEM,
        record_type="contact",
        record_id=record_id,
        action="created",
    )


def test_a_poller_sees_every_committed_event_once_in_order_under_concurrent_writers(owner):
    committed, rolled_back, lock = set(), set(), threading.Lock()
    other_account = AccountFactory()

    def writer(seed):
        rng = random.Random(seed)
        try:
            for n in range(25):
                account = owner.account if rng.random() < 0.85 else other_account
                drafts = [
                    EventDraft(
                        record_type="deal",
                        record_id=seed * 1000 + n,
                        action="updated",
                        changes={"n": [n, n + 1]},
                    )
                    for _ in range(rng.randint(1, 3))
                ]
                try:
                    with transaction.atomic():
                        events = events_append(
                            account=account, by=None, source=Source.SYSTEM, drafts=drafts
                        )
                        time.sleep(rng.uniform(0, 0.015))  # commits interleave
                        if rng.random() < 0.2:
                            raise RolledBack
                except RolledBack:
                    with lock:
                        rolled_back.update(e.pk for e in events)
                else:
                    if account == owner.account:
                        with lock:
                            committed.update(e.pk for e in events)
        finally:
            connection.close()

    writers = [threading.Thread(target=writer, args=(seed,)) for seed in range(1, 5)]
    for thread in writers:
        thread.start()
    seen, after = [], 0
    while any(thread.is_alive() for thread in writers):
        page, after = poll(owner.client, after)
        seen += page
    for thread in writers:
        thread.join()
    while page := poll(owner.client, after)[0]:  # what committed since the last poll
        seen += page
        after = page[-1]

    assert len(committed) > 50 and rolled_back
    assert seen == sorted(seen), "the feed went back in id order"
    assert len(seen) == len(set(seen)), "an event was seen twice"
    assert set(seen) == committed, f"missed {sorted(committed - set(seen))[:10]}"
    assert not set(seen) & rolled_back


def run_until_released(account, appended, release, out):
    """Append one event, then hold the transaction open until `release`."""
    try:
        with transaction.atomic():
            out.append(append_one(account, 1).pk)
            appended.set()
            release.wait(5)
    finally:
        connection.close()


def test_without_the_turn_a_poller_misses_an_event_that_commits_late(owner, monkeypatch):
    monkeypatch.setattr("events.services.take_event_turn", lambda account_id: None)
    appended, release, slow = threading.Event(), threading.Event(), []
    thread = threading.Thread(
        target=run_until_released, args=(owner.account, appended, release, slow)
    )
    thread.start()
    assert appended.wait(5)
    fast = append_one(owner.account, 2).pk  # a later id, committed first
    seen, after = poll(owner.client, 0)
    release.set()
    thread.join()
    later, _ = poll(owner.client, after)

    assert slow[0] < fast and seen == [fast]
    assert later == [], "the poller is past the slow event's id: it never sees it"


def test_with_the_turn_a_later_writer_waits_and_the_poller_misses_nothing(owner):
    appended, release, slow = threading.Event(), threading.Event(), []
    thread = threading.Thread(
        target=run_until_released, args=(owner.account, appended, release, slow)
    )
    thread.start()
    assert appended.wait(5)
    fast = []

    def second_writer():
        try:
            with transaction.atomic():
                fast.append(append_one(owner.account, 2).pk)
        finally:
            connection.close()

    waiting = threading.Thread(target=second_writer)
    waiting.start()
    time.sleep(0.3)
    seen_while_open, after = poll(owner.client, 0)
    assert fast == [] and seen_while_open == []  # the second writer waits its turn
    release.set()
    thread.join()
    waiting.join()
    seen, _ = poll(owner.client, after)
    assert seen == [slow[0], fast[0]] and slow[0] < fast[0]
