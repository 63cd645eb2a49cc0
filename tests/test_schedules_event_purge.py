"""The recurring purge: events older than 90 days go, in every account, in batches."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event, Source
from events.retention import events_purge_expired
from events.services import EventDraft, events_append
from events.tasks import purge_expired_events
from schedules.recurring import registered_jobs
from tests.factories import AccountFactory
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db


def events_aged(account, *days_ago):
    """One event per age, backdated by `days_ago` days."""
    events = events_append(
        account=account,
        by=None,
        source=Source.SYSTEM,
        drafts=[
            EventDraft(record_type="contact", record_id=n, action="created")
            for n, _ in enumerate(days_ago, start=1)
        ],
    )
    for event, days in zip(events, days_ago, strict=True):
        Event.objects.for_account(account).filter(pk=event.pk).update(
            at=timezone.now() - timedelta(days=days)
        )
    return [event.pk for event in events]


def remaining(account):
    return sorted(Event.objects.for_account(account).values_list("pk", flat=True))


def test_events_older_than_90_days_go_and_recent_ones_stay_in_every_account():
    first, second = AccountFactory(), AccountFactory()
    old_first, kept_first = events_aged(first, 91, 200, 400), events_aged(first, 89, 0)
    old_second, kept_second = events_aged(second, 90.01), events_aged(second, 5)

    assert events_purge_expired() == len(old_first) + len(old_second)
    assert remaining(first) == kept_first
    assert remaining(second) == kept_second


def test_the_purge_works_through_more_old_events_than_one_batch():
    account = AccountFactory()
    events_aged(account, *[100] * 7)
    kept = events_aged(account, 1)
    assert events_purge_expired(batch_size=3) == 7
    assert remaining(account) == kept


def test_the_purge_takes_a_few_queries_per_batch_not_one_per_event():
    account = AccountFactory()
    events_aged(account, *[100] * 40)
    # accounts, then per batch of 20: find ids, delete them; the last short batch ends it
    with assert_queries(at_most=1 + 2 * 3):
        assert events_purge_expired(batch_size=20) == 40


def test_the_purge_is_a_recurring_job_that_reports_what_it_deleted():
    assert registered_jobs()["events.purge_expired"].every == timedelta(hours=1)
    events_aged(AccountFactory(), 120, 3)
    assert purge_expired_events() == "deleted 1 events"
