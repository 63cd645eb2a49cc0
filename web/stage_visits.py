"""A deal's way through its pipeline, read from its `deal.created` and `deal.moved`
events: each stage it stood in, when it entered and left, and for how long."""

import datetime as dt
from dataclasses import dataclass

from events.models import Event

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
