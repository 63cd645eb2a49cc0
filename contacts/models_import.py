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
        return self.defer("content", "errors", "failed_rows").order_by("-created_at", "-id")

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

    def finish_check(
        self, pk: int, *, check_run: int, outcome, row_count: int, keep_valid_rows: bool = False
    ) -> bool:
        """Record check `check_run`'s errors and planned counts: ready without errors
        (or, importing the valid rows, when some row is valid), else invalid. False when
        that check is no longer current."""
        invalid = bool(outcome.errors) and (
            not keep_valid_rows or not (outcome.created or outcome.updated)
        )
        return self._transition(
            pk,
            "find_errors" if invalid else "pass_check",
            companies_created=outcome.companies_created,
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
            companies_created=outcome.companies_created,
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

    def finish_partial_write(
        self, pk: int, *, outcome, row_count: int, failed_rows: list[dict]
    ) -> bool:
        """Mark an import of the valid rows done, keeping its failed rows (cells and
        messages) for the user to download, and dropping the file's text. Call in the
        write's transaction, as `finish_write`."""
        return self._transition(
            pk,
            "finish_write",
            content="",
            errors=[],
            failed_rows=failed_rows,
            error_count=len(failed_rows),
            created=outcome.created,
            updated=outcome.updated,
            skipped=outcome.skipped,
            companies_created=outcome.companies_created,
            processed=row_count,
            problem="",
            finished_at=timezone.now(),
        )

    def dismiss_failed_rows(self, pk: int) -> bool:
        """Forget the failed rows of a finished import (the user has them, or does not
        want them). False when there were none. One query."""
        return bool(
            self.filter(pk=pk, error_count__gt=0, status__in=ContactImport.FINISHED).update(
                failed_rows=[], error_count=0, updated_at=timezone.now()
            )
        )

    def with_expired_failed_rows(self, moment) -> "ContactImportQuerySet":
        """Finished imports still holding failed rows, finished before `moment`."""
        return self.filter(
            status__in=ContactImport.FINISHED, error_count__gt=0, finished_at__lt=moment
        )

    def queue_undo(self, pk: int) -> bool:
        """Claim a finished import for undoing in the background; False when it is not
        done (already undone, being undone, or never written)."""
        return self._transition(pk, "queue_undo", problem="")

    def claim_undo(self, pk: int) -> bool:
        """The compare-and-set the undo itself makes, in its transaction: exactly one of
        two concurrent undos wins (the loser waits for the winner's row lock, then finds
        the import undone and changes nothing)."""
        return self._transition(pk, "undo", finished_at=timezone.now())

    def record_undo(self, pk: int, *, report: dict) -> None:
        """What the undo did, written in its transaction after `claim_undo` won."""
        self.filter(pk=pk).update(undo_report=report)

    def fail_undo(self, pk: int, *, problem: str) -> bool:
        """The background undo crashed (and rolled back): done again, saying why."""
        return self._transition(pk, "fail_undo", problem=problem)

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
        UNDOING = "undoing", "Undoing"
        UNDONE = "undone", "Undone"
        CANCELLED = "cancelled", "Cancelled"

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all", "All or nothing: import only when every row is valid"
        VALID_ROWS = "valid", "Import the valid rows, and give me the failed ones as a file"

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", "Skip the row (keep the existing contact as it is)"
        UPDATE = "update", "Update the existing contact with the row's values"
        ERROR = "error", "Report the row as an error"

    # Statuses in which the user may still change the file or the mapping, or cancel.
    EDITABLE = (Status.MAPPING, Status.INVALID, Status.READY)
    CANCELLABLE = (Status.MAPPING, Status.VALIDATING, Status.INVALID, Status.READY)
    RUNNING = (Status.VALIDATING, Status.IMPORTING, Status.UNDOING)
    # Written: it has contacts to list, and failed rows the user may download.
    FINISHED = (Status.DONE, Status.UNDOING, Status.UNDONE)
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
        "queue_undo": ((Status.DONE,), Status.UNDOING),  # undone in the background
        "undo": ((Status.DONE, Status.UNDOING), Status.UNDONE),
        "fail_undo": ((Status.UNDOING,), Status.DONE),  # the undo crashed
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
    mode = models.CharField(max_length=5, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    create_companies = models.BooleanField(
        default=False, help_text="Create the companies the company column names that don't exist."
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
    companies_created = models.PositiveIntegerField(default=0)
    # An import of the valid rows keeps the rows it left out, to download as a file,
    # until the user dismisses them or they expire (contacts.tasks): only those rows'
    # cells, not the whole file. `[{"row": n, "cells": [...], "messages": [...]}]`
    failed_rows = models.JSONField(default=list, blank=True)
    undo_report = models.JSONField(
        default=dict, blank=True, help_text="What undoing the import did (counts)."
    )
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
    def keeps_valid_rows(self) -> bool:
        return self.mode == self.Mode.VALID_ROWS

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def can_undo(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def has_failed_rows(self) -> bool:
        """Rows to download: the errors of a check, or the rows an import left out."""
        downloadable = (self.Status.INVALID, self.Status.READY, *self.FINISHED)
        return bool(self.error_count) and self.status in downloadable

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


class ContactImportRecordQuerySet(AccountScopedQuerySet):
    def of_import(self, contact_import) -> "ContactImportRecordQuerySet":
        """One import's records, in the order they were written (index
        `contactimportrecord_import`)."""
        return self.filter(contact_import_id=contact_import.pk).order_by("id")

    def listed(self, action: str) -> "ContactImportRecordQuerySet":
        """The contacts an import created, or those it updated (each contact once)."""
        return self.filter(record_type="contact", action=action)

    def counts(self) -> dict[str, int]:
        """`{"created": n, "updated": n, "companies": n}` in one query."""
        contacts = models.Q(record_type="contact")
        return self.aggregate(
            created=models.Count("id", filter=contacts & models.Q(action="created")),
            updated=models.Count("id", filter=contacts & models.Q(action="updated")),
            companies=models.Count("id", filter=models.Q(record_type="company")),
        )


class ContactImportRecord(AccountOwned):
    """One write an import made: what it created and what it updated, for its page and
    for undoing it.

    A row per event the import appended (written in bulk with each chunk, in its
    transaction): `created` for a contact or company it created, `updated` for an
    existing contact it changed, `updated_again` for a later write of the same
    import to a contact it had already created or updated (a repeated email in
    another chunk). So each contact is listed once, as created or as updated, and the
    undo can replay every change the import made to it, newest first.

    `event_id` names that write's event: an update's `changes` hold each field's
    value before and after the import, which is all an undo needs; the record does not
    copy them. Events are kept 90 days (events.retention): after that an undo still
    trashes what the import created, but leaves the contacts it updated as they are
    (and says so). `record_id` and `event_id` are plain numbers, not foreign keys:
    the record outlives a deleted contact (it is listed as deleted, and restoring it
    from the trash keeps its id) and a purged event.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        UPDATED_AGAIN = "updated_again", "Updated again"

    contact_import = models.ForeignKey(
        ContactImport, on_delete=models.CASCADE, related_name="records", db_index=False
    )
    record_type = models.CharField(max_length=10, default="contact")  # or "company"
    record_id = models.BigIntegerField()
    action = models.CharField(max_length=15, choices=Action.choices)
    event_id = models.BigIntegerField(null=True, blank=True)

    objects = ContactImportRecordQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["account", "contact_import", "record_type", "action", "id"],
                name="contactimportrecord_import",
            )
        ]

    def __str__(self):
        return (
            f"{self.record_type} {self.record_id} {self.action} by import {self.contact_import_id}"
        )
