"""Pipeline workflows: creating one with its stages, replacing its stage list."""

from django.db import transaction

from accounts.errors import StateConflict
from deals.models import Deal, Pipeline, Stage

DEFAULT_STAGES = [("Lead", 10), ("Qualified", 25), ("Proposal", 50), ("Negotiation", 75)]


class StageHasDeals(StateConflict):
    pass


class PipelineHasDeals(StateConflict):
    pass


@transaction.atomic
def pipeline_create(*, account, name: str, stages: list[dict]) -> Pipeline:
    """A pipeline and its stages, in list order (`stages`: dicts of name, probability)."""
    pipeline = Pipeline.objects.create(account=account, name=name)
    Stage.objects.for_account(account).bulk_create(
        [
            Stage(account=account, pipeline=pipeline, name=s["name"],
                  probability=s["probability"], position=i)
            for i, s in enumerate(stages)
        ]
    )
    return pipeline


def pipeline_create_default(*, account) -> Pipeline:
    """The "Sales" pipeline every new account starts with (won/lost are statuses)."""
    return pipeline_create(
        account=account,
        name="Sales",
        stages=[{"name": n, "probability": p} for n, p in DEFAULT_STAGES],
    )


@transaction.atomic
def pipeline_replace_stages(*, pipeline: Pipeline, stages: list[dict]) -> None:
    """Make the pipeline's stages exactly `stages`, in that order.

    Items with an `id` keep that stage (renamed, re-weighted, moved); items without
    are new; stages left out are deleted, unless deals are in them (StageHasDeals,
    and nothing changes). Callers validate that ids belong to the pipeline and
    names are unique. A constant number of queries.
    """
    scoped = Stage.objects.for_account(pipeline.account_id)
    existing = {stage.pk: stage for stage in scoped.filter(pipeline=pipeline)}
    kept_ids = {item["id"] for item in stages if item.get("id") is not None}
    removed = set(existing) - kept_ids
    if removed:
        busy = (
            Deal.objects.for_account(pipeline.account_id)
            .filter(stage_id__in=removed)
            .values_list("stage__name", flat=True)
            .distinct()
        )
        names = sorted(busy)
        if names:
            raise StageHasDeals(
                f"Stages with deals cannot be removed: {', '.join(names)}. Move the deals first."
            )
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
                item["name"], item["probability"], position)
        else:
            new.append(Stage(account_id=pipeline.account_id, pipeline=pipeline,
                             name=item["name"], probability=item["probability"],
                             position=position))
    if kept:
        scoped.bulk_update(kept, ["name", "probability", "position"])
    if new:
        scoped.bulk_create(new)
    pipeline.save(update_fields=["updated_at"])


@transaction.atomic
def pipeline_delete(*, pipeline: Pipeline) -> None:
    """Delete a pipeline and its stages; refused while it has deals."""
    if Deal.objects.for_account(pipeline.account_id).filter(pipeline=pipeline).exists():
        raise PipelineHasDeals("A pipeline with deals cannot be deleted.")
    pipeline.delete()
