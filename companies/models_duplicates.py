"""Likely duplicates found by the account-wide scan, and the scans themselves.

The pairs of each record type live in that type's app (`CompanyDuplicate` here,
`contacts.ContactDuplicate`), both on `DuplicatePair`; the scans of both types live
here, in the lowest app that has duplicates, so contacts can use them too.

A pair's records are plain links without a database constraint (`DO_NOTHING`): a
deleted record's pairs simply stop showing (the lists join both records) until the
next scan replaces them, and deleting a record costs no extra statement.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from accounts.tenancy import AccountOwned, AccountScopedQuerySet
from companies.matching_keys import COMPANY_REASONS


class DuplicatePair(AccountOwned):
    """Two records of one account that look like one: `low` has the smaller id."""

    score = models.PositiveSmallIntegerField()
    reason_bits = models.PositiveSmallIntegerField()  # lib/duplicate_reasons.py
    found_at = models.DateTimeField()

    reasons_of = None  # the record type's lib.duplicate_reasons.Reasons

    class Meta:
        abstract = True

    @property
    def reasons(self) -> list[str]:
        return self.reasons_of.names(self.reason_bits)


def pair_link(model: str, related_name: str):
    return models.ForeignKey(
        model,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name=related_name,
        db_index=False,
    )


def pair_constraints(prefix: str) -> list:
    """A pair table's constraints, leading with the account."""
    return [
        models.UniqueConstraint(fields=["account", "low", "high"], name=f"{prefix}_unique_pair"),
        models.CheckConstraint(condition=Q(low__lt=F("high")), name=f"{prefix}_low_first"),
    ]


def pair_indexes(prefix: str) -> list:
    """A pair table's indexes: the list, best first; a record's pairs from the high side
    (the unique constraint serves the low side). All lead with the account."""
    return [
        models.Index(
            F("account"), F("score").desc(), F("low"), F("high"), name=f"{prefix}_best_first"
        ),
        models.Index(fields=["account", "high"], name=f"{prefix}_by_high"),
    ]


class DuplicateScanQuerySet(AccountScopedQuerySet):
    def latest_of(self, record_type: str):
        """The newest scan of `record_type` (one query), or None."""
        return self.filter(record_type=record_type).order_by("-started_at", "-id").first()


class DuplicateScan(AccountOwned):
    """One run of the account-wide scan of one record type (contacts/tasks.py)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    record_type = models.CharField(max_length=10)  # "contact" | "company"
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Steps of the scan done / to do (one step per key: phone, name, ...), for the bar.
    steps_done = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=0)
    pair_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")

    objects = DuplicateScanQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["account", "record_type", "started_at"], name="duplicatescan_latest"
            )
        ]
        constraints = [
            # At most one queued or running scan per account and record type.
            models.UniqueConstraint(
                fields=["account", "record_type"],
                condition=Q(status__in=["queued", "running"]),
                name="duplicatescan_one_active",
            )
        ]

    def __str__(self):
        return f"{self.record_type} duplicate scan ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent(self) -> int:
        return 100 * self.steps_done // self.steps_total if self.steps_total else 0


class CompanyDuplicate(DuplicatePair):
    low = pair_link("companies.Company", "+")
    high = pair_link("companies.Company", "+")

    reasons_of = COMPANY_REASONS
    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        constraints = pair_constraints("companyduplicate")
        indexes = pair_indexes("companyduplicate")

    def __str__(self):
        return f"companies {self.low_id} and {self.high_id} ({self.score})"
