"""Recurring jobs: exactly one run queued, each run queues the next, no double runs."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from schedules import recurring as recurring_module
from schedules.models import Schedule
from schedules.recurring import ensure_schedules, recurring, run_schedule

EVERY = timedelta(minutes=10)


@pytest.fixture
def counter(monkeypatch):
    """A registered job `test.count` that counts its runs (slowly, when asked)."""
    runs = {"count": 0, "sleep": 0, "fail": False}

    def count():
        runs["count"] += 1
        time.sleep(runs["sleep"])
        if runs["fail"]:
            raise RuntimeError("the job broke")
        return f"run {runs['count']}"

    monkeypatch.setattr(recurring_module, "_jobs", {})
    recurring(name="test.count", every=EVERY)(count)
    return runs


def queued_runs():
    return DBTaskResult.objects.filter(
        task_path=run_schedule.module_path, status="READY", args_kwargs__args=["test.count"]
    )


def make_due(result_id, at=None):
    DBTaskResult.objects.filter(id=result_id).update(
        run_after=at or timezone.now() - timedelta(seconds=1)
    )


def work(worker_id="w1", max_tasks=None):
    """What `manage.py db_worker --batch` does, minus its signal handlers (threads)."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()


# The worker checks its connection between tasks, which PostgreSQL cannot do inside a
# test's transaction: tests that run it commit for real.
runs_the_worker = pytest.mark.django_db(transaction=True)


@pytest.mark.django_db
def test_ensuring_queues_exactly_one_run_however_often_it_is_called(counter):
    assert ensure_schedules() == ["test.count"]
    assert ensure_schedules() == []
    schedule = Schedule.objects.get(name="test.count")
    assert [str(run.id) for run in queued_runs()] == [schedule.ticket]
    assert schedule.next_run_at > timezone.now() + EVERY - timedelta(minutes=1)


@pytest.mark.django_db
def test_migrate_queues_the_event_purge(django_db_setup):
    # The test database was built by `migrate`, whose post_migrate queued the job.
    schedule = Schedule.objects.get(name="events.purge_expired")
    assert DBTaskResult.objects.get(id=schedule.ticket).status == "READY"


@runs_the_worker
def test_a_run_does_the_job_and_queues_its_next_run(counter):
    ensure_schedules()
    first = Schedule.objects.get(name="test.count").ticket
    make_due(first)
    work()
    schedule = Schedule.objects.get(name="test.count")
    assert counter["count"] == 1
    assert schedule.ticket != first and schedule.running_since is None
    assert schedule.last_outcome == "run 1"
    assert [str(run.id) for run in queued_runs()] == [schedule.ticket]
    assert queued_runs().get().run_after > timezone.now() + EVERY - timedelta(minutes=1)


@runs_the_worker
def test_a_failing_run_still_queues_the_next(counter):
    counter["fail"] = True
    ensure_schedules()
    make_due(Schedule.objects.get(name="test.count").ticket)
    work()
    schedule = Schedule.objects.get(name="test.count")
    assert schedule.last_outcome.startswith("failed")
    assert [str(run.id) for run in queued_runs()] == [schedule.ticket]


@runs_the_worker
def test_after_downtime_an_overdue_job_runs_once_and_is_back_on_its_interval(counter):
    ensure_schedules()
    make_due(
        Schedule.objects.get(name="test.count").ticket, at=timezone.now() - 5 * EVERY
    )  # the worker was down for five intervals
    work()
    assert counter["count"] == 1
    assert queued_runs().get().run_after > timezone.now() + EVERY - timedelta(minutes=1)


@runs_the_worker
def test_a_duplicate_run_does_nothing(counter):
    ensure_schedules()
    make_due(Schedule.objects.get(name="test.count").ticket)
    make_due(run_schedule.enqueue("test.count").id)  # e.g. enqueued by hand, twice
    work()
    assert counter["count"] == 1
    assert queued_runs().count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("lost", ["deleted", "failed", "stale"])
def test_a_lost_run_is_queued_again(counter, lost):
    ensure_schedules()
    ticket = Schedule.objects.get(name="test.count").ticket
    runs = DBTaskResult.objects.filter(id=ticket)
    if lost == "deleted":
        runs.delete()
    elif lost == "failed":  # the worker died after the job, before queueing the next
        runs.update(status="FAILED")
    else:  # claimed two hours ago by a worker that never came back
        runs.update(status="RUNNING")
        Schedule.objects.filter(name="test.count").update(
            running_since=timezone.now() - timedelta(hours=2)
        )
    assert ensure_schedules() == ["test.count"]
    schedule = Schedule.objects.get(name="test.count")
    assert schedule.ticket != ticket and schedule.running_since is None
    assert [str(run.id) for run in queued_runs()] == [schedule.ticket]


@pytest.mark.django_db
def test_a_running_job_is_not_queued_twice(counter):
    ensure_schedules()
    ticket = Schedule.objects.get(name="test.count").ticket
    DBTaskResult.objects.filter(id=ticket).update(status="RUNNING")
    Schedule.objects.filter(name="test.count").update(running_since=timezone.now())
    assert ensure_schedules() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_run_the_job_twice_at_once(counter):
    if connection.vendor != "postgresql":
        pytest.skip("two workers side by side need PostgreSQL")
    counter["sleep"] = 0.5
    ensure_schedules()
    make_due(Schedule.objects.get(name="test.count").ticket)
    make_due(run_schedule.enqueue("test.count").id)  # a second copy, due as well

    def worker(worker_id):
        try:
            work(worker_id, max_tasks=1)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    ran = DBTaskResult.objects.filter(
        task_path=run_schedule.module_path, args_kwargs__args=["test.count"], status="SUCCESSFUL"
    )
    assert ran.count() == 2  # both workers picked a copy up at the same time
    assert counter["count"] == 1  # but only the ticket holder did the job
    assert queued_runs().count() == 1
