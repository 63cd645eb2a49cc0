"""Recurring jobs: `@recurring(name=..., every=...)` on a function in an app's tasks.py.

How it holds:
- One generic django-tasks task, `run_schedule(name)`, runs every job. Each run, when
  done (or failed), enqueues the job's next run with `run_after = now + every`.
- Exactly one next run: the `Schedule` row's `ticket` names the one run allowed to do
  the job. A run first claims the row (`UPDATE … SET running_since WHERE ticket = its
  own id AND running_since IS NULL`); a run that is not the ticket holder (a duplicate
  enqueue, a leftover) does nothing. Handing the ticket to the next run is a
  compare-and-set in the same transaction as that run's enqueue (django-tasks' database
  backend inserts the run's row at once, not on commit), so a lost race rolls its
  enqueue back.
- Never two copies at once: only the ticket holder runs, and only once it has set
  `running_since`; two workers that pick up the same run cannot both claim it.
- Nothing is lost: `ensure_schedules()` (after `migrate`, and `manage.py
  ensure_schedules`) creates missing rows and re-queues a job whose ticket run is gone,
  has ended without queueing its successor, or has been running longer than
  `stale_after` (its worker died). After downtime the queued run is simply overdue:
  the worker runs it once at start, then the job is back on its interval.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist

from schedules.models import Schedule

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RecurringJob:
    name: str
    every: timedelta
    func: Callable[[], object]
    stale_after: timedelta


_jobs: dict[str, RecurringJob] = {}


def recurring(*, name: str, every: timedelta, stale_after: timedelta | None = None):
    """Register the decorated function (no arguments) to run every `every`.

    A run that has held its claim longer than `stale_after` (default: `every`, at
    least an hour) is taken for dead and the job re-queued by `ensure_schedules()`.
    """

    def register(func):
        _jobs[name] = RecurringJob(
            name=name,
            every=every,
            func=func,
            stale_after=stale_after or max(every, timedelta(hours=1)),
        )
        return func

    return register


def registered_jobs() -> dict[str, RecurringJob]:
    return dict(_jobs)


@task(takes_context=True)
def run_schedule(context, name: str) -> str:
    """Run recurring job `name` if this run holds its ticket, then queue the next."""
    ticket = str(context.task_result.id)
    job = _jobs.get(name)
    if job is None:
        logger.warning("No recurring job named %r; its run is dropped.", name)
        return "unknown"
    claimed = Schedule.objects.filter(
        name=name,
        ticket=ticket,
        running_since__isnull=True,
    ).update(running_since=timezone.now())
    if not claimed:
        return "not the ticket holder"
    outcome = "done"
    try:
        result = job.func()
        outcome = str(result)[:200] if result is not None else outcome
    except Exception as exc:
        outcome = f"failed: {exc!r}"[:200]
        raise
    finally:
        queue_next_run(
            job, expected_ticket=ticket, run_after=timezone.now() + job.every, outcome=outcome
        )
    return outcome


def queue_next_run(
    job: RecurringJob,
    *,
    expected_ticket: str,
    run_after,
    outcome: str | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> bool:
    """Enqueue the job's next run and hand it the ticket, if the ticket is still
    `expected_ticket`; else enqueue nothing (someone else queued it). True if queued."""
    with transaction.atomic(using=using):
        result = run_schedule.using(run_after=run_after).enqueue(job.name)
        changes = {"ticket": str(result.id), "next_run_at": run_after, "running_since": None}
        if outcome is not None:
            changes |= {"last_finished_at": timezone.now(), "last_outcome": outcome}
        handed = (
            Schedule.objects.using(using)
            .filter(
                name=job.name,
                ticket=expected_ticket,
            )
            .update(**changes)
        )
        if not handed:
            transaction.set_rollback(True, using=using)
    return bool(handed)


def ensure_schedules(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Make sure every registered job has exactly one live run queued; returns the
    names it (re-)queued. Safe to call any number of times, from several processes."""
    now = timezone.now()
    queued = []
    for job in _jobs.values():
        schedule, _created = Schedule.objects.using(using).get_or_create(
            name=job.name,
            defaults={"every": job.every},
        )
        if schedule.every != job.every:
            Schedule.objects.using(using).filter(pk=schedule.pk).update(every=job.every)
        if has_live_run(schedule, job, now=now):
            continue
        # A new job's first run waits one interval: the worker is not up yet when
        # `migrate` runs, and nothing is due on a fresh installation.
        run_after = schedule.next_run_at or now + job.every
        if queue_next_run(
            job, expected_ticket=schedule.ticket, run_after=max(run_after, now), using=using
        ):
            queued.append(job.name)
    return queued


def has_live_run(schedule: Schedule, job: RecurringJob, *, now) -> bool:
    """Whether the schedule's ticket run is still waiting, or running and not stale."""
    if not schedule.ticket:
        return False
    try:
        result = run_schedule.get_result(schedule.ticket)
    except TaskResultDoesNotExist:
        return False
    if result.status == TaskResultStatus.READY:
        return True
    if result.status == TaskResultStatus.RUNNING:
        started = schedule.running_since or result.started_at
        return started is None or now - started < job.stale_after
    return False  # it ended without handing the ticket on (the worker died in between)
