"""Pipelines of stages, and the deals that move through them."""

from decimal import Decimal

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Now
from django.utils import timezone
from djmoney.models.fields import CurrencyField
from djmoney.money import Money
from djmoney.settings import CURRENCY_CHOICES

from accounts.models import validate_currency
from accounts.tenancy import AccountOwned, AccountScopedQuerySet
from lib.calendar_range import validate_calendar_range
from lib.custom_fields import validate_custom_fields
from lib.errors import StateConflict
from lib.json_indexes import CustomFieldsIndex
from lib.links import owner_link
from lib.search import PrefixIndex, PrefixSearch, SearchIndex, typed_text

SEARCH_VECTOR = SearchVector("title", config="simple")
DEAL_SEARCH = PrefixSearch(vector=SEARCH_VECTOR, fields=("title",))
# What a picker (web/pickers/) matches as the user types: the title.
PICKER_KEYS = {"title_prefix": (Lower("title"), typed_text)}
MAX_VALUE_CENTS = 10**13  # 100 billion in the currency: keeps Σ value × probability exact


class InvalidTransition(StateConflict):
    """The deal's current status forbids this action (the API answers 409)."""


class Pipeline(AccountOwned):
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                F("account"),
                Lower("name"),
                name="pipeline_unique_name",
                violation_error_message="A pipeline with this name already exists.",
                violation_error_code="unique_name",
            ),
        ]

    def __str__(self):
        return self.name


class Stage(AccountOwned):
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.CASCADE, related_name="stages", db_index=False
    )
    name = models.CharField(max_length=100)
    probability = models.PositiveSmallIntegerField()
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "pipeline", "name"],
                name="stage_unique_name",
                violation_error_message="Stage names must be unique within a pipeline.",
                violation_error_code="unique_name",
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0, probability__lte=100),
                name="stage_probability_0_100",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "pipeline", "position"], name="stage_by_pipeline"),
        ]

    def __str__(self):
        return f"{self.pipeline} / {self.name}"


class DealQuerySet(AccountScopedQuerySet):
    def search(self, text: str):
        """Deals whose title matches every word of `text` as a prefix."""
        return DEAL_SEARCH.filter(self, text)

    def open(self):
        return self.filter(status=Deal.Status.OPEN)

    def closing_before(self, date):
        return self.filter(expected_close_date__lt=date)

    def with_stage_probability(self):
        """Annotate `stage_probability` (a join), so `effective_probability` costs no
        query per deal."""
        return self.annotate(stage_probability=F("stage__probability"))


class Deal(AccountOwned):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        WON = "won", "Won"
        LOST = "lost", "Lost"
        ABANDONED = "abandoned", "Abandoned"

    CLOSED = (Status.WON, Status.LOST, Status.ABANDONED)

    title = models.CharField(max_length=200)
    # RESTRICT, not PROTECT: a pipeline or stage with deals cannot be deleted, but
    # deleting the whole account (which cascades to the deals too) can.
    pipeline = models.ForeignKey(
        Pipeline, on_delete=models.RESTRICT, related_name="deals", db_index=False
    )
    stage = models.ForeignKey(
        Stage, on_delete=models.RESTRICT, related_name="deals", db_index=False
    )
    value_cents = models.BigIntegerField(default=0)
    currency = CurrencyField(choices=CURRENCY_CHOICES, validators=[validate_currency])
    probability = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    lost_reason = models.CharField(max_length=500, blank=True, default="")
    expected_close_date = models.DateField(
        null=True, blank=True, validators=[validate_calendar_range]
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        db_index=False,
    )
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        db_index=False,
    )
    owner = owner_link()
    # When the deal entered its current stage: set on create and by every stage change
    # (deals/services.py), so the time spent in a stage needs no history walk. The
    # database default serves raw inserts (bench/generate.py) too.
    stage_entered_at = models.DateTimeField(default=timezone.now, db_default=Now())
    # Values of the account's deal custom fields (customfields/values.py checks them
    # on every write, through deals/services.py).
    custom_fields = models.JSONField(
        default=dict, db_default={}, blank=True, validators=[validate_custom_fields]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DealQuerySet.as_manager()
    row_counted = True  # lists read count() from accounts.RowCount
    custom_values_indexed = True  # counts by a value read accounts.CustomValue

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_cents__gte=0, value_cents__lte=MAX_VALUE_CENTS),
                name="deal_value_in_range",
            ),
            models.CheckConstraint(
                condition=Q(probability__isnull=True) | Q(probability__gte=0, probability__lte=100),
                name="deal_probability_0_100",
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="deal_closed_at_matches_status",
            ),
        ]
        indexes = [
            # The forecast's one grouped pass (deals/forecast.py) as an index-only scan,
            # with the owner filter and "closed since" (status__in=CLOSED, closed_at__gte)
            # too; its prefix serves what the old deal_by_stage did.
            models.Index(
                fields=["account", "status", "pipeline", "stage", "currency", "probability"],
                include=["value_cents", "owner", "closed_at"],
                name="deal_forecast",
            ),
            # The board's first cards of each column, in the board's order (close date,
            # NULLs last, then newest), without a sort: web/deals/board.py.
            models.Index(
                fields=[
                    "account",
                    "status",
                    "pipeline",
                    "stage",
                    "expected_close_date",
                    "-created_at",
                    "-id",
                ],
                include=["owner"],
                name="deal_board",
            ),
            models.Index(fields=["account", "created_at"], name="deal_by_created"),
            models.Index(fields=["account", "expected_close_date"], name="deal_by_close_date"),
            models.Index(fields=["account", "value_cents"], name="deal_by_value"),
            models.Index(fields=["account", "contact"], name="deal_by_contact"),
            models.Index(fields=["account", "company"], name="deal_by_company"),
            models.Index(fields=["account", "owner"], name="deal_by_owner"),
            models.Index(fields=["account", "updated_at"], name="deal_by_updated"),
            # The picker's keystrokes (PICKER_KEYS), PostgreSQL only.
            PrefixIndex(F("account"), PICKER_KEYS["title_prefix"][0], name="deal_title_prefix"),
            # Search (lib/search.py): PostgreSQL only; needs the btree_gin extension.
            SearchIndex(F("account"), SEARCH_VECTOR, name="deal_search"),
            # cf_<key>= filters (customfields/filtering.py): PostgreSQL only.
            CustomFieldsIndex(name="deal_custom_fields"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.pipeline_id:
            stage = self.stage if self.stage_id else self._stored_stage_in_pipeline()
            self.stage = self.stage_in_pipeline(self.pipeline, stage)
        try:
            self.validate_stage_change()
        except InvalidTransition as exc:
            raise ValidationError({"stage": str(exc)}) from exc

    def _stored_stage_in_pipeline(self) -> Stage | None:
        """The stage this deal is stored in, if it is one of `self.pipeline`'s (a form
        left the stage empty: the deal keeps it). One query; none for a new deal."""
        if self.pk is None:
            return None
        return (
            Stage.objects.for_account(self.account_id)
            .filter(pipeline_id=self.pipeline_id, deals__pk=self.pk, deals__account=self.account_id)
            .first()
        )

    def stage_in_pipeline(
        self, pipeline: Pipeline, stage: Stage | None = None, *, stages=None
    ) -> Stage:
        """The stage this deal takes in `pipeline`, as every face (API, web app, admin)
        decides it: `stage` when it is one of the pipeline's (else ValidationError on
        `stage`); left out, the deal's own stage if it stays in that pipeline, else
        the pipeline's first stage (ValidationError on `pipeline` when it has none).

        The first stage costs one query, unless `stages` (the account's stages, in
        position order) is given. Whether a closed deal may move is
        `validate_stage_change`'s question, not this one's.
        """
        if stage is not None:
            if stage.pipeline_id != pipeline.pk:
                raise ValidationError(
                    {"stage": f"Pick a stage of the {pipeline.name} pipeline."}, code="stage"
                )
            return stage
        if self.pk is not None and self.pipeline_id == pipeline.pk and self.stage_id:
            return self.stage
        if stages is None:
            first = Stage.objects.for_account(pipeline.account_id).filter(pipeline=pipeline)
            first = first.order_by("position", "id").first()
        else:
            first = next((s for s in stages if s.pipeline_id == pipeline.pk), None)
        if first is None:
            raise ValidationError(
                {"pipeline": "This pipeline has no stages yet."}, code="no_stages"
            )
        return first

    def validate_stage_change(self) -> None:
        """Refuse to put a closed deal in another stage or pipeline (InvalidTransition).

        Only an open deal moves, whichever face writes (the `move` action, a PATCH, a
        form, the admin): a won or lost deal stays in the stage it closed in, which
        the forecast and the board count it under. Compares this instance's stage and
        pipeline with the stored row, whose status decides: one query. The services
        check the same rule again on the locked row (`check_stage_change`).
        """
        if self.pk is None:
            return
        stored = (
            Deal.objects.for_account(self.account_id)
            .filter(pk=self.pk)
            .only("status", "stage_id", "pipeline_id")
            .first()
        )
        if stored is not None:
            stored.check_stage_change(stage_id=self.stage_id, pipeline_id=self.pipeline_id)

    def check_stage_change(self, *, stage_id: int, pipeline_id: int) -> None:
        """InvalidTransition when this deal, as stored, may not go to that stage and
        pipeline: a closed deal keeps its own. Costs no query."""
        if self.status == self.Status.OPEN:
            return
        if (stage_id, pipeline_id) != (self.stage_id, self.pipeline_id):
            raise InvalidTransition(f"Cannot move a deal that is {self.status}: reopen it first.")

    @property
    def value(self) -> Money:
        return Money(Decimal(self.value_cents) / 100, self.currency)

    @property
    def effective_probability(self) -> int:
        """The deal's own probability, else its stage's (one query for the stage
        unless the queryset used `with_stage_probability()` or loaded the stage)."""
        if self.probability is not None:
            return self.probability
        annotated = self.__dict__.get("stage_probability")
        return annotated if annotated is not None else self.stage.probability

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def days_in_stage(self, now=None) -> int:
        """Whole days since the deal entered its current stage (`stage_entered_at`);
        for a closed deal, until it closed."""
        until = (None if self.is_open else self.closed_at) or now or timezone.now()
        return max((until - self.stage_entered_at).days, 0)

    # -- the state machine: the only ways status and closed_at change -------------
    # These say what a transition writes and refuse the ones the status forbids; they
    # write nothing. deals/services.py applies them to the locked row and records them.

    # action: (statuses it starts from, status it leads to, the event's action)
    TRANSITIONS = {
        "win": ((Status.OPEN,), Status.WON, "won"),
        "lose": ((Status.OPEN,), Status.LOST, "lost"),
        "abandon": ((Status.OPEN,), Status.ABANDONED, "abandoned"),
        "reopen": (CLOSED, Status.OPEN, "reopened"),
    }

    def _require(self, allowed, action: str) -> None:
        if self.status not in allowed:
            raise InvalidTransition(f"Cannot {action} a deal that is {self.status}.")

    def transition_values(self, action: str, *, reason: str = "", now=None) -> dict:
        """The fields `action` (win, lose, abandon, reopen) sets on this deal;
        InvalidTransition when its status forbids it. `reason` is kept by `lose`."""
        allowed, status, _event = self.TRANSITIONS[action]
        self._require(allowed, action)
        closing = status != self.Status.OPEN
        return {
            "status": status,
            "closed_at": (now or timezone.now()) if closing else None,
            "lost_reason": reason if action == "lose" else "",
        }

    def move_values(self, *, stage: Stage, probability: int | None = None, now=None) -> dict:
        """The fields putting this open deal in `stage` of its pipeline sets;
        `probability` overrides the stage's (None clears the override). Leaving the
        stage restarts `stage_entered_at`; staying keeps it."""
        self._require((self.Status.OPEN,), "move")
        if stage.pipeline_id != self.pipeline_id:
            raise ValueError("The stage belongs to another pipeline.")
        values = {"stage": stage, "probability": probability}
        if stage.pk != self.stage_id:
            values["stage_entered_at"] = now or timezone.now()
        return values
