"""The daily purge of the trash: what was deleted more than 30 days ago leaves for good,
in every account; a recurring job that `migrate` (and `ensure_schedules`) queues."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from events.kinds import kind_named
from events.models import Source
from schedules.models import Schedule
from schedules.recurring import registered_jobs
from tests.factories import AccountFactory, ContactFactory
from trash.models import TrashedRecord
from trash.services import records_trash
from trash.tasks import purge_expired_trash

pytestmark = pytest.mark.django_db


def trashed_days_ago(account, days: float) -> int:
    contact = ContactFactory(account=account)
    records_trash(kind_named("contact"), rows=[contact], by=None, source=Source.UI)
    TrashedRecord.objects.for_account(account).filter(record_id=contact.pk).update(
        deleted_at=timezone.now() - timedelta(days=days)
    )
    return contact.pk


def remaining(account) -> list[int]:
    return sorted(TrashedRecord.objects.for_account(account).values_list("record_id", flat=True))


def test_the_purge_is_a_daily_recurring_job():
    assert registered_jobs()["trash.purge_expired"].every == timedelta(days=1)


def test_migrate_queues_the_trash_purge(django_db_setup):
    schedule = Schedule.objects.get(name="trash.purge_expired")
    assert DBTaskResult.objects.get(id=schedule.ticket).status == "READY"


def test_a_run_purges_what_is_older_than_30_days_in_every_account():
    first, second = AccountFactory(), AccountFactory()
    trashed_days_ago(first, 31)
    trashed_days_ago(second, 45)
    kept_first = [trashed_days_ago(first, 29), trashed_days_ago(first, 0)]
    kept_second = [trashed_days_ago(second, 29.9)]
    assert purge_expired_trash() == "purged 2 trashed records"
    assert remaining(first) == sorted(kept_first)
    assert remaining(second) == kept_second
    assert purge_expired_trash() == "purged 0 trashed records"
