"""Pipeline workflows (creating one with its stages, renaming it, replacing, adding,
editing, reordering and deleting its stages; each stage write takes the pipeline's lock
first) and the one write path of deals: every face (API, web app, admin) creates, edits, moves,
closes, reopens and deletes deals through the `deal_*` functions below, each atomic,
each recording its event (events/row_writes.py says how concurrent writes meet)."""

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from accounts.uniqueness import unique_conflict, unique_conflicts
from customfields.values import check_custom_fields
from deals.models import Deal, Pipeline, Stage
from events.kinds import register
from events.models import Source
from events.representations import representation
from events.row_writes import (
    RecordKind,
    refreshed,
    row_insert,
    row_lock,
    row_update,
    values_that_change,
)
from lib.errors import StateConflict
from trash.models import TrashedRecord
from trash.services import records_trash, records_trash_queryset

DEFAULT_STAGES = [("Lead", 10), ("Qualified", 25), ("Proposal", 50), ("Negotiation", 75)]


def default_stages() -> list[dict]:
    """The stages a pipeline starts with unless told otherwise (a new account's first
    pipeline, one created in the web app), as `pipeline_create` takes them."""
    return [{"name": name, "probability": probability} for name, probability in DEFAULT_STAGES]


class StageHasDeals(StateConflict):
    pass


class PipelineHasDeals(StateConflict):
    pass


@transaction.atomic
def pipeline_create(*, account, name: str, stages: list[dict]) -> Pipeline:
    """A pipeline and its stages, in list order (`stages`: dicts of name, probability).
    UniqueConflict on `name` when a concurrent request took the name first."""
    with unique_conflicts(Pipeline, field="name"):
        pipeline = Pipeline.objects.create(account=account, name=name)
    Stage.objects.for_account(account).bulk_create(
        [
            Stage(
                account=account,
                pipeline=pipeline,
                name=s["name"],
                probability=s["probability"],
                position=i,
            )
            for i, s in enumerate(stages)
        ]
    )
    return pipeline


def pipeline_create_default(*, account) -> Pipeline:
    """The "Sales" pipeline every new account starts with (won/lost are statuses)."""
    return pipeline_create(
        account=account,
        name="Sales",
        stages=default_stages(),
    )


class StageOrderStale(StateConflict):
    """A new order that does not name exactly the pipeline's stages: they changed since
    the page was loaded (the web app answers 409 and shows them as they are)."""


def pipeline_lock(pipeline: Pipeline) -> Pipeline:
    """Lock the pipeline's row until the transaction ends (one query), so writes to its
    stage list take turns: each reads the stages after the previous one committed.
    Pipeline.DoesNotExist when it was deleted meanwhile."""
    return Pipeline.objects.for_account(pipeline.account_id).select_for_update().get(pk=pipeline.pk)


def _stages_removable(*, pipeline: Pipeline, stages: dict[int, Stage]) -> None:
    """StageHasDeals unless every stage of `stages` (by id) is free of deals, live or
    in the trash. Two queries."""
    busy = (
        Deal.objects.for_account(pipeline.account_id)
        .filter(stage_id__in=list(stages))
        .values_list("stage_id")
        .annotate(count=Count("id"))
        .order_by()
    )
    held = {stages[stage_id].name: count for stage_id, count in busy}
    if held:
        raise StageHasDeals(
            "Stages with deals cannot be removed: "
            f"{_counted(held)}. Move the deals to another stage first."
        )
    # After the live deals (a deal trashed meanwhile was still seen there): a
    # trashed deal keeps its stage, so that restoring it never fails.
    trashed = (
        TrashedRecord.objects.for_account(pipeline.account_id)
        .holding("deal", "stage_id", list(stages))
        .counted_by("stage_id")
    )
    held = {stages[stage_id].name: count for stage_id, count in trashed.items()}
    if held:
        raise StageHasDeals(
            "Stages that deleted deals in the trash need cannot be removed: "
            f"{_counted(held)}. Restore those deals or empty the trash of them first."
        )


def _counted(held: dict[str, int]) -> str:
    return ", ".join(
        f"{name} ({count} deal{'' if count == 1 else 's'})" for name, count in sorted(held.items())
    )


@transaction.atomic
def pipeline_update(*, pipeline: Pipeline, data: dict) -> Pipeline:
    """Write the pipeline's `name` and/or replace its `stages` (pipeline_replace_stages),
    whichever `data` holds; the name only when it differs. The API's PATCH and PUT and
    the web app's rename call this. UniqueConflict on `name` when a concurrent request
    gave another pipeline that name first (and the stages are not written either)."""
    pipeline_lock(pipeline)
    if "name" in data and data["name"] != pipeline.name:
        pipeline.name = data["name"]
        with unique_conflicts(Pipeline, field="name"):
            pipeline.save(update_fields=["name", "updated_at"])
    if "stages" in data:
        pipeline_replace_stages(pipeline=pipeline, stages=data["stages"])
        getattr(pipeline, "_prefetched_objects_cache", {}).pop("stages", None)
    return pipeline


@transaction.atomic
def pipeline_replace_stages(*, pipeline: Pipeline, stages: list[dict]) -> None:
    """Make the pipeline's stages exactly `stages`, in that order.

    Items with an `id` keep that stage (renamed, re-weighted, moved); items without
    are new; stages left out are deleted, unless deals are in them (StageHasDeals,
    and nothing changes). Callers validate that ids belong to the pipeline and names
    are unique; a stage to keep that was deleted since is StageOrderStale. A constant
    number of queries; the pipeline is locked first, so concurrent writes of its
    stages take turns.
    """
    pipeline_lock(pipeline)
    scoped = Stage.objects.for_account(pipeline.account_id)
    existing = {stage.pk: stage for stage in scoped.filter(pipeline=pipeline)}
    kept_ids = {item["id"] for item in stages if item.get("id") is not None}
    if kept_ids - set(existing):  # deleted since the caller checked the ids
        raise StageOrderStale(
            "The stages of this pipeline changed meanwhile: a stage to keep was deleted."
        )
    removed = set(existing) - kept_ids
    if removed:
        _stages_removable(pipeline=pipeline, stages={pk: existing[pk] for pk in removed})
        scoped.filter(pk__in=removed).delete()
    kept = [existing[i] for i in kept_ids]
    if kept:
        # Park kept stages on names no user can type, so swapping two names never
        # trips the (pipeline, name) unique constraint halfway through.
        for stage in kept:
            stage.name = f"\x01{stage.pk}"
        scoped.bulk_update(kept, ["name"])
    new = []
    for position, item in enumerate(stages):
        if item.get("id") is not None:
            stage = existing[item["id"]]
            stage.name, stage.probability, stage.position = (
                item["name"],
                item["probability"],
                position,
            )
        else:
            new.append(
                Stage(
                    account_id=pipeline.account_id,
                    pipeline=pipeline,
                    name=item["name"],
                    probability=item["probability"],
                    position=position,
                )
            )
    if kept:
        scoped.bulk_update(kept, ["name", "probability", "position"])
    if new:
        scoped.bulk_create(new)
    pipeline.save(update_fields=["updated_at"])


@transaction.atomic
def pipeline_delete(*, pipeline: Pipeline) -> None:
    """Delete a pipeline and its stages; refused while it has deals, also deals in
    the trash (so that restoring a deal never fails on its pipeline)."""
    pipeline_lock(pipeline)
    count = Deal.objects.for_account(pipeline.account_id).filter(pipeline=pipeline).count()
    if count:
        raise PipelineHasDeals(
            f"A pipeline with deals cannot be deleted: {pipeline.name} holds {count} "
            f"deal{'' if count == 1 else 's'}. Move them to another pipeline or delete them first."
        )
    # After the live deals: a deal trashed meanwhile was still seen there.
    trashed = TrashedRecord.objects.for_account(pipeline.account_id)
    count = trashed.holding("deal", "pipeline_id", [pipeline.pk]).count()
    if count:
        raise PipelineHasDeals(
            f"{count} deleted deal{' needs' if count == 1 else 's need'} this pipeline in the "
            "trash: restore them or empty the trash first."
        )
    pipeline.delete()


# -- stages, one at a time (the web app's settings) ------------------------------------


def _stage_name_free(*, pipeline_id: int, account_id: int, name: str, stage_id=None) -> None:
    """UniqueConflict on `name` unless no other stage of the pipeline has `name`,
    whatever its case (as the forms and the API check it). Read under the pipeline's
    lock, so it also sees the name a concurrent write committed just before: the
    database's constraint alone would let "Won" and "won" in side by side, and turn
    two "Won" into an IntegrityError. One query."""
    names = (
        Stage.objects.for_account(account_id)
        .filter(pipeline_id=pipeline_id)
        .exclude(pk=stage_id)
        .values_list("name", flat=True)
    )
    if name.casefold() in {other.casefold() for other in names}:
        raise unique_conflict(Stage, "stage_unique_name", field="name")


@transaction.atomic
def stage_add(*, pipeline: Pipeline, name: str, probability: int) -> Stage:
    """A new stage at the end of the pipeline; UniqueConflict on `name` when another
    stage of it has that name (whatever its case), also one added a moment ago."""
    pipeline_lock(pipeline)
    _stage_name_free(pipeline_id=pipeline.pk, account_id=pipeline.account_id, name=name)
    scoped = Stage.objects.for_account(pipeline.account_id)
    last = scoped.filter(pipeline=pipeline).aggregate(last=Max("position"))["last"]
    stage = scoped.create(
        account_id=pipeline.account_id,
        pipeline=pipeline,
        name=name,
        probability=probability,
        position=0 if last is None else last + 1,
    )
    pipeline.save(update_fields=["updated_at"])
    return stage


@transaction.atomic
def stage_update(*, stage: Stage, data: dict) -> Stage:
    """Write the stage's `name` and `probability` where `data` differs from the stored
    row, and nothing else (the position moves by `stages_reorder` only). Under the
    pipeline's lock, as every write of its stages: a new name another stage of it has
    (whatever its case), also one given a moment ago, is a UniqueConflict on `name`.
    Stage.DoesNotExist when it was deleted meanwhile."""
    unknown = set(data) - {"name", "probability"}
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}.")
    pipeline_lock(Pipeline(pk=stage.pipeline_id, account_id=stage.account_id))
    current = Stage.objects.for_account(stage.account_id).select_for_update().get(pk=stage.pk)
    changed = [name for name, value in data.items() if getattr(current, name) != value]
    if "name" in changed:
        _stage_name_free(
            pipeline_id=stage.pipeline_id,
            account_id=stage.account_id,
            name=data["name"],
            stage_id=stage.pk,
        )
    for name in changed:
        setattr(stage, name, data[name])
    if changed:
        stage.save(update_fields=changed)
    return stage


@transaction.atomic
def stage_delete(*, stage: Stage) -> None:
    """Delete a stage; refused (StageHasDeals, saying how many) while deals are in it,
    also deals in the trash. The stages after it keep their order."""
    pipeline = pipeline_lock(stage.pipeline)
    current = Stage.objects.for_account(stage.account_id).filter(pk=stage.pk).first()
    if current is None:
        return  # deleted meanwhile: what was asked is done
    _stages_removable(pipeline=pipeline, stages={current.pk: current})
    current.delete()
    pipeline.save(update_fields=["updated_at"])


@transaction.atomic
def stages_reorder(*, pipeline: Pipeline, stage_ids: list[int]) -> list[Stage]:
    """Put the pipeline's stages in the order of `stage_ids`, which must name each of
    them once (StageOrderStale otherwise: a stage was added or deleted since the
    caller read them). Under the pipeline's lock, so two reorders at once take turns
    and the last one wins whole. Three queries; returns the stages in their order."""
    pipeline_lock(pipeline)
    scoped = Stage.objects.for_account(pipeline.account_id)
    stages = {stage.pk: stage for stage in scoped.filter(pipeline=pipeline)}
    if len(stage_ids) != len(set(stage_ids)) or set(stage_ids) != set(stages):
        raise StageOrderStale(
            "The stages of this pipeline changed meanwhile: here they are as they are now."
        )
    ordered = [stages[pk] for pk in stage_ids]
    moved = []
    for position, stage in enumerate(ordered):
        if stage.position != position:
            stage.position = position
            moved.append(stage)
    if moved:
        scoped.bulk_update(moved, ["position"])
    return ordered


@transaction.atomic
def stage_move(*, stage: Stage, offset: int) -> list[Stage]:
    """Move a stage `offset` places (-1: up, 1: down) in its pipeline's order, read
    under the pipeline's lock (so two moves at once both land); at either end it stays.
    Returns the stages in their new order."""
    pipeline = pipeline_lock(stage.pipeline)
    order = list(
        Stage.objects.for_account(stage.account_id)
        .filter(pipeline=pipeline)
        .values_list("pk", flat=True)
    )
    if stage.pk not in order:
        raise Stage.DoesNotExist(f"No stage {stage.pk}.")
    index = order.index(stage.pk)
    target = min(max(index + offset, 0), len(order) - 1)
    order.insert(target, order.pop(index))
    return stages_reorder(pipeline=pipeline, stage_ids=order)


# -- deals ------------------------------------------------------------------------


def deal_representation(deal: Deal) -> dict:
    """The deal as the API shows it (an event's `data`)."""
    from deals.api.serializers import DealSerializer  # it imports this module

    return representation(DealSerializer, deal)


DEAL = register(
    RecordKind(
        model=Deal,
        record_type="deal",
        represent=deal_representation,
        derived=frozenset({"effective_probability", "stage_entered_at"}),
        prefetch=("stage",),
        title=lambda data: data.get("title") or "",
    )
)
# The fields a client edits; status, closed_at and lost_reason change by transition only.
DEAL_EDITABLE = frozenset(
    {
        "title",
        "pipeline",
        "stage",
        "value_cents",
        "currency",
        "probability",
        "expected_close_date",
        "contact",
        "company",
        "owner",
        "custom_fields",
    }
)


def _refresh(deal: Deal, current: Deal) -> Deal:
    deal.__dict__.pop("stage_probability", None)  # an annotation of the old stage
    return refreshed(deal, current)


def deal_create(*, account, by, source: Source, data: dict) -> Deal:
    """A new deal of `account` from validated `data` (model field names); it enters
    its stage now. Appends `deal.created`."""
    unknown = set(data) - DEAL_EDITABLE
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}.")
    # The account's deal custom fields apply (ValidationError on `custom_fields`).
    check_custom_fields(
        account_id=account, record_type="deal", values=data.get("custom_fields"), creating=True
    )
    deal = Deal(account_id=getattr(account, "pk", account), **data)
    deal.stage_entered_at = timezone.now()
    row_insert(DEAL, record=deal, by=by, source=source)
    return deal


@transaction.atomic
def deal_update(*, deal: Deal, by, source: Source, data: dict) -> Deal:
    """Write the fields of `data` (model field names) that differ from the stored deal,
    and nothing else, so concurrent edits of other fields and transitions survive.

    A new stage or pipeline needs the deal open (InvalidTransition, checked on the
    locked row) and restarts `stage_entered_at`. A change of the stage (and maybe of
    the deal's probability) alone appends `deal.moved`, any other `deal.updated`; a
    write that changes nothing appends nothing.
    """
    unknown = set(data) - DEAL_EDITABLE
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}.")
    current = row_lock(DEAL, deal)
    values = values_that_change(current, data)
    if "custom_fields" in values:
        # The keys this write changes fit their definitions.
        check_custom_fields(
            account_id=current.account_id,
            record_type="deal",
            values=values["custom_fields"],
            stored=current.custom_fields,
            creating=False,
        )
    guard = None
    moving = {"stage", "pipeline"} & set(values)
    if moving:
        stage, pipeline = data.get("stage", current.stage), data.get("pipeline", current.pipeline)
        current.check_stage_change(stage_id=stage.pk, pipeline_id=pipeline.pk)
        if "stage" in values:
            values["stage_entered_at"] = timezone.now()
        guard = {"status": Deal.Status.OPEN}
    action = (
        "moved"
        if moving and set(values) <= {"stage", "probability", "stage_entered_at"}
        else "updated"
    )
    row_update(
        DEAL,
        current=current,
        by=by,
        source=source,
        action=action,
        values=values,
        guard=guard,
        conflict=f"Cannot move a deal that is {current.status}: reopen it first.",
    )
    return _refresh(deal, current)


@transaction.atomic
def deal_move(
    *, deal: Deal, by, source: Source, stage: Stage, probability: int | None = None
) -> Deal:
    """Put an open deal in `stage` of its pipeline (`Deal.move_values`); `probability`
    overrides the stage's, None clears the override. Appends `deal.moved`."""
    current = row_lock(DEAL, deal)
    values = values_that_change(current, current.move_values(stage=stage, probability=probability))
    row_update(
        DEAL,
        current=current,
        by=by,
        source=source,
        action="moved",
        values=values,
        guard={"status": Deal.Status.OPEN},
    )
    return _refresh(deal, current)


@transaction.atomic
def _deal_transition(*, deal: Deal, by, source: Source, action: str, reason: str = "") -> Deal:
    current = row_lock(DEAL, deal)
    values = current.transition_values(action, reason=reason)
    row_update(
        DEAL,
        current=current,
        by=by,
        source=source,
        action=Deal.TRANSITIONS[action][2],
        values=values,
        guard={"status": current.status},
        conflict=f"Cannot {action} this deal: it changed meanwhile.",
    )
    return _refresh(deal, current)


def deal_win(*, deal: Deal, by, source: Source) -> Deal:
    """open → won, closed now (InvalidTransition from any other status). `deal.won`."""
    return _deal_transition(deal=deal, by=by, source=source, action="win")


def deal_lose(*, deal: Deal, by, source: Source, reason: str = "") -> Deal:
    """open → lost, closed now, with `reason`. `deal.lost`."""
    return _deal_transition(deal=deal, by=by, source=source, action="lose", reason=reason)


def deal_abandon(*, deal: Deal, by, source: Source) -> Deal:
    """open → abandoned, closed now. `deal.abandoned`."""
    return _deal_transition(deal=deal, by=by, source=source, action="abandon")


def deal_reopen(*, deal: Deal, by, source: Source) -> Deal:
    """won, lost or abandoned → open; closed_at and lost_reason cleared. `deal.reopened`."""
    return _deal_transition(deal=deal, by=by, source=source, action="reopen")


@transaction.atomic
def deal_delete(*, deal: Deal, by, source: Source) -> None:
    """Delete the deal; `deal.deleted` carries it as it was."""
    records_trash(DEAL, rows=[row_lock(DEAL, deal)], by=by, source=source)


def deals_delete(*, account, by, source: Source, ids) -> int:
    """Move the account's deals among `ids` to the trash (their notes and activities
    stay, unlinked), one `deal.deleted` each, in a constant number of queries. Returns
    how many were deleted."""
    deals = Deal.objects.for_account(account).filter(pk__in=list(ids))
    return records_trash_queryset(DEAL, queryset=deals, by=by, source=source)


def deal_delete_many(*, deals, by, source: Source) -> int:
    """Delete the deals of a queryset (the admin's bulk delete), a `deal.deleted` event
    for each, appended in one batch; how many were deleted."""
    return records_trash_queryset(DEAL, queryset=deals, by=by, source=source)
