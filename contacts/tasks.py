"""Background work of the CSV import (django-tasks; `manage.py db_worker` runs it).

Tasks take ids, not objects, so they can be retried and run on any worker. Each
import runs in two user-visible steps:

1. `check_contact_import` reads every row, a chunk of 1,000 at a time, and writes
   nothing but the import's own progress. Outside any transaction each progress
   update commits at once, so the page polling the import sees it move; the same
   conditional UPDATE tells the task when the user cancelled or re-uploaded (it then
   touches no row and stops).
2. `write_contact_import` writes every row in ONE transaction (all or nothing) and
   marks the import done in that same transaction, so "done" and the contacts become
   visible together and a crash in between cannot leave one without the other.
   Progress is not reported while writing: it could only become visible by committing
   it outside the data transaction, through a second database connection, and on
   SQLite a second writer would wait on the first one's lock. The page shows
   "Writing…" with an indeterminate bar instead; the rows were counted in step 1.
"""

import datetime
import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import task

from companies import duplicates as company_duplicates
from companies.duplicate_scans import scan_run
from companies.models import Company, DuplicateScan
from contacts import duplicates as contact_duplicates
from contacts.imports import check_import, contact_import_undo, write_import
from contacts.models import Contact
from contacts.models_import import ContactImport
from contacts.services import BulkImportInvalid
from schedules.recurring import recurring

logger = logging.getLogger(__name__)
Status = ContactImport.Status


class ImportSuperseded(Exception):
    """The import changed status while its rows were being written: roll them back."""


def _imports(account_id: int):
    return ContactImport.objects.for_account(account_id)


@task()
def check_contact_import(account_id: int, import_id: int, run: int) -> str:
    """Check every row of an import (run number `run`), recording errors and counts."""
    imports = _imports(account_id)
    contact_import = (
        imports.filter(pk=import_id, run=run, status=Status.VALIDATING)
        .select_related("account")
        .first()
    )
    if contact_import is None:
        return "stale"

    def on_progress(checked: int) -> bool:
        # One query a chunk; False means cancelled or superseded.
        return imports.report_progress(import_id, check_run=run, processed=checked)

    try:
        outcome = check_import(contact_import, on_progress=on_progress)
    except Exception:
        imports.fail_check(
            import_id,
            check_run=run,
            problem="Something went wrong while checking the rows; nothing was imported. "
            "Try again, and tell us if it happens again.",
        )
        raise
    if outcome is None:
        return "stopped"
    finished = imports.finish_check(
        import_id,
        check_run=run,
        outcome=outcome,
        row_count=contact_import.row_count,
        keep_valid_rows=contact_import.keeps_valid_rows,
    )
    if not finished:
        return "stopped"
    return "invalid" if outcome.errors else "ready"


@task()
def write_contact_import(account_id: int, import_id: int) -> str:
    """Write every row of a checked import, all or nothing."""
    imports = _imports(account_id)
    contact_import = (
        imports.filter(pk=import_id, status=Status.IMPORTING)
        .select_related("account", "created_by")
        .first()
    )
    if contact_import is None:
        return "stale"
    try:
        with transaction.atomic():
            outcome = write_import(contact_import, user=contact_import.created_by)
            if contact_import.keeps_valid_rows:
                finished = imports.finish_partial_write(
                    import_id,
                    outcome=outcome,
                    row_count=contact_import.row_count,
                    failed_rows=outcome.errors,
                )
            else:
                finished = imports.finish_write(
                    import_id, outcome=outcome, row_count=contact_import.row_count
                )
            if not finished:  # no longer "importing": leave no contact behind
                raise ImportSuperseded
            # The new contacts' duplicates, once they are committed.
            transaction.on_commit(
                lambda: duplicate_scan_start(account_id=account_id, record_type="contact")
            )
    except ImportSuperseded:
        return "stale"
    except BulkImportInvalid as exc:
        # Something changed since the check (a contact with the same email was added,
        # a company deleted): nothing was written; show the rows like the check does.
        rejected = imports.reject_write(
            import_id,
            errors=exc.errors,
            problem="Some rows stopped being valid after they were checked (the account "
            "changed meanwhile). Nothing was imported.",
        )
        # Lost to another run of this write that finished first (its contacts are
        # what made these rows duplicates): the import is done, not invalid.
        return "invalid" if rejected else "stale"
    except Exception:
        logger.exception("Import %s of account %s failed", import_id, account_id)
        imports.fail_write(
            import_id,
            problem="Something went wrong while importing; nothing was imported. Try again.",
        )
        raise
    return "done"


@task()
def undo_contact_import(account_id: int, import_id: int, user_id: int | None) -> str:
    """Undo a finished import in the background (`contact_import_undo`)."""
    contact_import = (
        _imports(account_id)
        .filter(pk=import_id, status=Status.UNDOING)
        .select_related("account")
        .first()
    )
    if contact_import is None:
        return "stale"
    try:
        report = contact_import_undo(contact_import=contact_import, by=user_id)
    except Exception:
        logger.exception("Undoing import %s of account %s failed", import_id, account_id)
        _imports(account_id).fail_undo(
            import_id, problem="Something went wrong while undoing; nothing was changed."
        )
        raise
    return "stale" if report is None else "undone"


@recurring(name="contacts.expire_import_failed_rows", every=datetime.timedelta(hours=1))
def expire_import_failed_rows() -> str:
    """Forget the failed rows that imports of the valid rows kept, a week after they
    finished: they hold people's data the user has had time to download. Every
    account's, in one UPDATE."""
    expired = ContactImport.objects.dangerously_unscoped().with_expired_failed_rows(
        timezone.now() - FAILED_ROWS_KEPT
    )
    return f"forgot the failed rows of {expired.update(failed_rows=[], error_count=0)} imports"


FAILED_ROWS_KEPT = datetime.timedelta(days=7)
# Undone inside the request up to this many contacts; larger imports in the background.
UNDO_INLINE_MAX = 500


# -- starting and stopping the work (called by the web views) -------------------------


def contact_import_queue_check(
    *, contact_import, mapping=None, on_duplicate=None, mode=None, create_companies=None
) -> int | None:
    """Queue a check of every row (with a new mapping and choices, if given); returns
    its run number.

    Only from a status in which the import can still be changed: None when it moved
    on meanwhile (the user clicked "Import" in another tab, or cancelled), and
    nothing changed. Bumping `run` makes any older check of the same import stop at
    its next chunk. Two queries, plus the enqueue.
    """
    fields = {}
    if mapping is not None:
        fields["mapping"] = mapping
    if on_duplicate is not None:
        fields["on_duplicate"] = on_duplicate
    if mode is not None:
        fields["mode"] = mode
    if create_companies is not None:
        fields["create_companies"] = create_companies
    run = _imports(contact_import.account_id).queue_check(contact_import.pk, **fields)
    if run is None:
        return None
    check_contact_import.enqueue(
        account_id=contact_import.account_id, import_id=contact_import.pk, run=run
    )
    return run


def contact_import_queue_write(*, contact_import) -> bool:
    """Queue the write of a checked import; False when it is not ready (any more)."""
    started = _imports(contact_import.account_id).queue_write(contact_import.pk)
    if started:
        write_contact_import.enqueue(
            account_id=contact_import.account_id, import_id=contact_import.pk
        )
    return bool(started)


def contact_import_cancel(*, contact_import) -> bool:
    """Cancel an import that is not writing yet, dropping its file's text.

    False when it is too late (writing, or done). A check still running notices at
    its next chunk and stops.
    """
    return _imports(contact_import.account_id).cancel(contact_import.pk)


def contact_import_start_undo(*, contact_import, by) -> bool:
    """Undo a finished import: at once when it wrote few contacts, else queued for the
    worker (the import shows "Undoing" meanwhile). False when it is not done (any more):
    undone already, or being undone."""
    if contact_import.created + contact_import.updated <= UNDO_INLINE_MAX:
        return contact_import_undo(contact_import=contact_import, by=by) is not None
    if not _imports(contact_import.account_id).queue_undo(contact_import.pk):
        return False
    undo_contact_import.enqueue(
        account_id=contact_import.account_id,
        import_id=contact_import.pk,
        user_id=getattr(by, "pk", by),
    )
    return True


def contact_import_dismiss_failed_rows(*, contact_import) -> bool:
    """Forget the failed rows a finished import kept; False when it had none."""
    return _imports(contact_import.account_id).dismiss_failed_rows(contact_import.pk)


# -- the account-wide duplicate scan ----------------------------------------------
# Whole accounts are scanned in the background: at a million contacts a scan takes
# seconds to a minute (docs/benchmarks.md). Small accounts (LIVE_SCAN_LIMIT records or
# fewer) are scanned at once, in the request that asks, so their Duplicates page is
# current without a worker. Scans are started by "Scan now", after each CSV import,
# and every night for accounts whose records changed since their last scan.

LIVE_SCAN_LIMIT = 5_000
SCANNED = {
    "contact": (Contact, contact_duplicates.SCAN_PLAN),
    "company": (Company, company_duplicates.SCAN_PLAN),
}


@task()
def scan_duplicates(account_id: int, scan_id: int) -> str:
    """Run a queued duplicate scan; its progress is on its DuplicateScan row."""
    scan = DuplicateScan.objects.for_account(account_id).filter(pk=scan_id).first()
    if scan is None or scan.status != DuplicateScan.Status.QUEUED:
        return "stale"
    try:
        pairs = scan_run(scan=scan, plan=SCANNED[scan.record_type][1])
    except Exception as exc:
        logger.exception("Duplicate scan %s of account %s failed", scan_id, account_id)
        DuplicateScan.objects.for_account(account_id).filter(pk=scan_id).update(
            status=DuplicateScan.Status.FAILED, error=str(exc)[:500]
        )
        raise
    return f"{pairs} pairs"


def duplicate_scan_start(*, account_id: int, record_type: str) -> DuplicateScan:
    """Queue a scan of the account's `record_type` ("contact" or "company"), or return
    the one already queued or running. A small account's scan runs here and now.
    A few queries, plus the scan itself when it runs inline."""
    model, _plan = SCANNED[record_type]
    scans = DuplicateScan.objects.for_account(account_id)
    try:
        with transaction.atomic():
            scan = scans.create(account_id=account_id, record_type=record_type)
    except IntegrityError:  # one is queued or running already (duplicatescan_one_active)
        active = scans.filter(record_type=record_type, status__in=["queued", "running"]).first()
        if active is not None:
            return active
        return duplicate_scan_start(account_id=account_id, record_type=record_type)
    if model.objects.for_account(account_id).count() <= LIVE_SCAN_LIMIT:
        scan_duplicates.call(account_id=account_id, scan_id=scan.pk)
        scan.refresh_from_db()
    else:
        transaction.on_commit(
            lambda: scan_duplicates.enqueue(account_id=account_id, scan_id=scan.pk)
        )
    return scan


@recurring(name="duplicates.scan_changed_accounts", every=timedelta(hours=24))
def scan_changed_accounts() -> str:
    """Nightly: scan each account and record type changed since its last scan.

    Two aggregates by account per record type, compared here: on Citus each runs on
    every shard at once, where a subquery correlated to the accounts (a reference
    table) is refused."""
    started = 0
    for record_type, (model, _plan) in SCANNED.items():
        last_scans = dict(
            DuplicateScan.objects.dangerously_unscoped()
            .filter(record_type=record_type)
            .values_list("account_id")
            .annotate(Max("started_at"))
            .order_by()
        )
        last_changes = (
            model.objects.dangerously_unscoped()
            .values_list("account_id")
            .annotate(Max("updated_at"))
            .order_by()
        )
        for account_id, changed_at in sorted(last_changes):
            since = last_scans.get(account_id)
            if since is None or changed_at > since:
                duplicate_scan_start(account_id=account_id, record_type=record_type)
                started += 1
    return f"started {started} scans"
