"""A CSV import of contacts: the uploaded file, its column mapping and its progress.

The file's text lives in the row itself (`content`), not in MEDIA: the web server and
the background worker share the database but not necessarily a disk, the row is
scoped by account like every CRM row (so is the file), and it is deleted with the
account. 50,000 rows of contacts are a few megabytes of text; it is dropped once the
import is done or cancelled.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from accounts.tenancy import AccountOwned, AccountScopedQuerySet


class ContactImportQuerySet(AccountScopedQuerySet):
    def recent(self):
        """Newest first, without the file's text (which can be megabytes)."""
        return self.defer("content", "errors").order_by("-created_at", "-id")

    def transition(
        self, pk: int, *, to: str, expected=None, check_run: int | None = None, **fields
    ) -> bool:
        """Compare-and-set: move import `pk` to status `to`, with `fields`, only if its
        status is still one the state machine allows before `to`
        (`ContactImport.TRANSITIONS`), narrowed to `expected` when given, and its
        check is still run number `check_run` when given. True when this call won; False
        when the import had moved on meanwhile (another click, another tab, the
        worker), in which case nothing changed. One UPDATE ... WHERE status IN (...).
        """
        allowed = ContactImport.TRANSITIONS[to]
        expected = allowed if expected is None else tuple(expected)
        if not set(expected) <= set(allowed):
            raise ValueError(f"An import never goes from {expected} to {to}.")
        rows = self.filter(pk=pk, status__in=expected)
        if check_run is not None:
            rows = rows.filter(run=check_run)
        return bool(rows.update(status=to, updated_at=timezone.now(), **fields))

    def report_progress(self, pk: int, *, check_run: int, processed: int) -> bool:
        """Record how many rows check number `check_run` has read; False when that check is
        no longer current (cancelled, superseded, the file replaced): it should stop."""
        return bool(
            self.filter(pk=pk, run=check_run, status=ContactImport.Status.VALIDATING).update(
                processed=processed, updated_at=timezone.now()
            )
        )


class ContactImport(AccountOwned):
    class Status(models.TextChoices):
        MAPPING = "mapping", "Choose columns"
        VALIDATING = "validating", "Checking rows"
        INVALID = "invalid", "Needs fixes"
        READY = "ready", "Ready to import"
        IMPORTING = "importing", "Importing"
        DONE = "done", "Imported"
        CANCELLED = "cancelled", "Cancelled"

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", "Skip the row (keep the existing contact as it is)"
        UPDATE = "update", "Update the existing contact with the row's values"
        ERROR = "error", "Report the row as an error"

    # Statuses in which the user may still change the file or the mapping, or cancel.
    EDITABLE = (Status.MAPPING, Status.INVALID, Status.READY)
    CANCELLABLE = (Status.MAPPING, Status.VALIDATING, Status.INVALID, Status.READY)
    RUNNING = (Status.VALIDATING, Status.IMPORTING)
    # The state machine: for each status, the statuses an import may reach it from.
    # Every change goes through `ContactImport.objects.transition()`, a compare-and-set.
    TRANSITIONS = {
        Status.MAPPING: (*EDITABLE, Status.VALIDATING),  # a new file; a check that crashed
        Status.VALIDATING: EDITABLE,  # (re)check the rows
        Status.INVALID: (Status.VALIDATING, Status.IMPORTING),  # rows turned invalid
        Status.READY: (Status.VALIDATING, Status.IMPORTING),  # checked; a write that crashed
        Status.IMPORTING: (Status.READY,),
        Status.DONE: (Status.IMPORTING,),
        Status.CANCELLED: CANCELLABLE,
    }

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
    )
    file_name = models.CharField(max_length=255)
    encoding = models.CharField(max_length=20)
    delimiter = models.CharField(max_length=1, default=",")
    content = models.TextField(help_text="The file's text, decoded.")
    headers = models.JSONField(default=list)
    row_count = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=list, help_text="A contact field (or '') per column.")
    on_duplicate = models.CharField(
        max_length=10, choices=OnDuplicate.choices, default=OnDuplicate.SKIP
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.MAPPING)
    # Bumped each time rows are (re)checked, so a stale task run can tell it is stale.
    run = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0, help_text="Rows checked so far.")
    errors = models.JSONField(default=list, help_text='[{"row": n, "messages": [...]}]')
    error_count = models.PositiveIntegerField(default=0)
    # Planned once the rows are valid, then the actual outcome once imported.
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    problem = models.TextField(blank=True, default="", help_text="Why the last run stopped.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ContactImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"], name="contactimport_recent")]

    def __str__(self):
        return f"Import of {self.file_name}"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_cancellable(self) -> bool:
        return self.status in self.CANCELLABLE

    @property
    def is_waiting_for_worker(self) -> bool:
        """Queued for a while and not started: is the background worker running?"""
        return (
            self.status == self.Status.VALIDATING
            and self.processed == 0
            and self.updated_at < timezone.now() - datetime.timedelta(seconds=15)
        )

    @property
    def percent(self) -> int:
        """How far the row check is, 0-100."""
        if not self.row_count:
            return 0
        return min(100, self.processed * 100 // self.row_count)

    @property
    def to_write(self) -> int:
        return self.created + self.updated
