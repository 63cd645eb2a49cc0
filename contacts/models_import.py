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
from django.db.models import F
from django.utils import timezone

from accounts.tenancy import AccountOwned, AccountScopedQuerySet


class ContactImportQuerySet(AccountScopedQuerySet):
    def recent(self):
        """Newest first, without the file's text (which can be megabytes)."""
        return self.defer("content", "errors").order_by("-created_at", "-id")

    def _transition(self, pk: int, action: str, *, check_run: int | None = None, **fields):
        """Compare-and-set: apply `action` of `ContactImport.TRANSITIONS` to import `pk`,
        writing `fields`, only if its status is still one `action` starts from (and its
        check is still run number `check_run`, when given). True when this call won;
        False when the import had moved on meanwhile (another click, another tab, the
        worker), in which case nothing changed. One UPDATE ... WHERE status IN (...)."""
        starts, to = ContactImport.TRANSITIONS[action]
        rows = self.filter(pk=pk, status__in=starts)
        if check_run is not None:
            rows = rows.filter(run=check_run)
        return bool(rows.update(status=to, updated_at=timezone.now(), **fields))

    def replace_file(self, pk: int, **file_fields) -> bool:
        """A new file (its fields, mapping and name) for an import the user may still
        change; the old results go. False when it started writing or was cancelled."""
        return self._transition(
            pk, "replace_file", errors=[], error_count=0, problem="", **file_fields
        )

    def queue_check(self, pk: int, **fields) -> int | None:
        """Start a new check of every row (with `fields`: a new mapping or duplicate
        rule): bumps `run`, so any older check stops at its next chunk, and clears the
        last results. The new run number, or None when the import can no longer be
        changed. Two queries."""
        queued = self._transition(
            pk,
            "queue_check",
            run=F("run") + 1,
            processed=0,
            errors=[],
            error_count=0,
            created=0,
            updated=0,
            skipped=0,
            problem="",
            finished_at=None,
            **fields,
        )
        if not queued:
            return None
        return self.filter(pk=pk).values_list("run", flat=True)[0]

    def finish_check(self, pk: int, *, check_run: int, outcome, row_count: int) -> bool:
        """Record check `check_run`'s errors and planned counts: ready without errors,
        else invalid. False when that check is no longer current."""
        return self._transition(
            pk,
            "find_errors" if outcome.errors else "pass_check",
            check_run=check_run,
            processed=row_count,
            errors=outcome.errors,
            error_count=len(outcome.errors),
            created=outcome.created,
            updated=outcome.updated,
            skipped=outcome.skipped,
            problem="",
            finished_at=timezone.now(),
        )

    def fail_check(self, pk: int, *, check_run: int, problem: str) -> bool:
        """Check `check_run` crashed: back to choosing columns, saying why."""
        return self._transition(
            pk, "fail_check", check_run=check_run, problem=problem, finished_at=timezone.now()
        )

    def queue_write(self, pk: int) -> bool:
        """Claim a checked import for writing; False when it is not ready (any more)."""
        return self._transition(pk, "queue_write", problem="")

    def finish_write(self, pk: int, *, outcome, row_count: int) -> bool:
        """Mark the import done with what it wrote, dropping the file's text (no longer
        needed: don't keep megabytes of personal data). Call in the write's transaction:
        False means it is no longer importing, and the write must roll back."""
        return self._transition(
            pk,
            "finish_write",
            content="",
            errors=[],
            created=outcome.created,
            updated=outcome.updated,
            skipped=outcome.skipped,
            processed=row_count,
            problem="",
            finished_at=timezone.now(),
        )

    def reject_write(self, pk: int, *, errors: list[dict], problem: str) -> bool:
        """Rows turned invalid between the check and the write: nothing was written."""
        return self._transition(
            pk,
            "reject_write",
            errors=errors,
            error_count=len(errors),
            problem=problem,
            finished_at=timezone.now(),
        )

    def fail_write(self, pk: int, *, problem: str) -> bool:
        """The write crashed (and rolled back): ready to try again, saying why."""
        return self._transition(pk, "fail_write", problem=problem, finished_at=timezone.now())

    def cancel(self, pk: int) -> bool:
        """Cancel an import that is not writing yet, dropping its file's text."""
        return self._transition(pk, "cancel", content="", errors=[], finished_at=timezone.now())

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
    # The state machine, read in one place: each action, the statuses it starts from and
    # the status it leads to. Every status change is a compare-and-set through one of
    # the queryset's methods named for what happened (`.queue_write(pk)`,
    # `.finish_check(...)`), which apply these and nothing else.
    TRANSITIONS = {
        "replace_file": (EDITABLE, Status.MAPPING),
        "queue_check": (EDITABLE, Status.VALIDATING),
        "pass_check": ((Status.VALIDATING,), Status.READY),
        "find_errors": ((Status.VALIDATING,), Status.INVALID),
        "fail_check": ((Status.VALIDATING,), Status.MAPPING),  # the check crashed
        "queue_write": ((Status.READY,), Status.IMPORTING),
        "finish_write": ((Status.IMPORTING,), Status.DONE),
        "reject_write": ((Status.IMPORTING,), Status.INVALID),  # rows turned bad meanwhile
        "fail_write": ((Status.IMPORTING,), Status.READY),  # the write crashed
        "cancel": (CANCELLABLE, Status.CANCELLED),
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
