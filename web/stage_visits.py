"""A deal's way through its pipeline, read from its `deal.created` and `deal.moved`
events: each stage it stood in, when it entered and left, and for how long."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from deals.models import Stage
from events.models import Event
from web.formatting import format_duration, local_time

MAX_MOVES = 200  # the newest moves shown; a deal moves a handful of times


@dataclass
class StageVisit:
    stage_id: int
    entered_at: dt.datetime
    left_at: dt.datetime | None = None  # None: the deal is still there (and open)
    stage_name: str = ""

    def duration(self, now: dt.datetime) -> dt.timedelta:
        return (self.left_at or now) - self.entered_at


def stage_visits(*, account, deal) -> list[StageVisit]:
    """The deal's stages in the order it stood in them (one query).

    A deal whose first event is a move (created before events were recorded) starts in
    the stage that move left, from the deal's creation. A closed deal's last stage ends
    when it closed. Without any event: the current stage since `stage_entered_at` (or
    the deal's creation).
    """
    events = list(
        Event.objects.for_account(account)
        .of_record("deal", deal.pk)
        .filter(type__in=("deal.created", "deal.moved"))
        .only("id", "type", "at", "changes", "data")[:MAX_MOVES]
    )
    events.reverse()  # oldest first
    visits: list[StageVisit] = []
    for event in events:
        if event.type == "deal.created":
            stage_id = event.data.get("stage")
        else:
            before, stage_id = (event.changes.get("stage") or [None, None])[:2]
            if not visits and before is not None:
                visits.append(StageVisit(stage_id=before, entered_at=deal.created_at))
        if stage_id is None:
            continue
        if visits:
            visits[-1].left_at = event.at
        visits.append(StageVisit(stage_id=stage_id, entered_at=event.at))
    if not visits:
        entered = getattr(deal, "stage_entered_at", None) or deal.created_at
        visits.append(StageVisit(stage_id=deal.stage_id, entered_at=entered))
    if not deal.is_open and deal.closed_at is not None:
        visits[-1].left_at = max(deal.closed_at, visits[-1].entered_at)
    return visits


def in_stage_since(deal, visits: list[StageVisit]) -> dt.datetime:
    """When the deal entered its current stage: the deal's own `stage_entered_at`
    where the model has it, else the last visit's start."""
    return getattr(deal, "stage_entered_at", None) or visits[-1].entered_at


def describe_visits(deal, visits: list[StageVisit], *, zone, names) -> dict:
    """Give each visit its stage's name (`names(stage_id)`, no query), its local times
    and its duration in words; what the templates show as "Time in each stage"."""
    now = timezone.now()
    for visit in visits:
        visit.stage_name = names(visit.stage_id)
        visit.entered_local = local_time(visit.entered_at, zone)
        visit.left_local = local_time(visit.left_at, zone) if visit.left_at else None
        visit.duration_text = format_duration(visit.duration(now))
    since = in_stage_since(deal, visits)
    return {
        "visits": visits,
        "in_stage_since": local_time(since, zone),
        "in_stage_for": format_duration(now - since),
    }


def stage_history(*, account, deal) -> dict:
    """The deal's stages with their durations (two queries: the events, the names of
    the stages they name; a stage deleted since reads "#id (deleted)")."""
    visits = stage_visits(account=account, deal=deal)
    stages = Stage.objects.for_account(account).in_bulk({visit.stage_id for visit in visits})

    def name(stage_id):
        stage = stages.get(stage_id)
        return stage.name if stage is not None else f"#{stage_id} (deleted)"

    return describe_visits(deal, visits, zone=account.zone, names=name)
