"""Contact workflows that write several rows or models."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.ids import parse_id
from accounts.models import Account, User
from accounts.tags import tags_replace
from companies.models import Company
from contacts.models import Contact, ContactTag

# -- bulk import ---------------------------------------------------------------

ON_DUPLICATE = ("error", "skip", "update")


class BulkImportInvalid(Exception):
    """Some rows are invalid; nothing was written. `errors` lists them by index."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} invalid rows")
        self.errors = errors


@dataclass
class BulkImportResult:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    ids: list[int] = field(default_factory=list)


@dataclass
class _Target:
    """One contact the batch writes: a new one, or an existing one to update."""

    contact: Contact
    is_new: bool
    changed: set[str] = field(default_factory=set)
    tag_names: list[str] | None = None


def contact_bulk_import(
    *, account, user: User, rows: list, on_duplicate: str = "error", validate_row
) -> BulkImportResult:
    """Create (or skip, or update) up to 1,000 contacts, all or nothing.

    `validate_row(row, related_cache)` turns one raw row into validated field values
    or raises `ValueError(errors_dict)`; it must not query the database (related ids
    are looked up in `related_cache`, loaded here in one query per related model).
    A duplicate is an
    email already in the account, or repeated within the batch. Imports of one
    account take turns (a lock on the account row), and a write that loses a race
    with another writer of the same email is planned again from the emails then in
    the account, so concurrent imports answer as if they had run one after the other.
    Costs a constant number of queries whatever the number of rows.
    """
    if on_duplicate not in ON_DUPLICATE:
        raise ValueError(f"on_duplicate must be one of {ON_DUPLICATE}")

    related_cache = _load_related(
        rows,
        {
            "owner": User.objects.filter(memberships__account=account),
            "company": Company.objects.for_account(account),
        },
    )

    errors: list[dict] = []
    valid: list[tuple[int, dict]] = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            errors.append({"index": index, "errors": {"detail": ["Expected a JSON object."]}})
            continue
        try:
            valid.append((index, validate_row(row, related_cache)))
        except ValueError as exc:
            errors.append({"index": index, "errors": exc.args[0]})

    with transaction.atomic():
        # Imports of one account take turns: two imports of the same new emails would
        # each read "not there yet" and one would fail on the unique index. NO KEY
        # UPDATE leaves the account row free for the foreign-key checks of other
        # writes. (No-op on SQLite, whose writers already take turns.)
        Account.objects.select_for_update(no_key=True).filter(pk=account.pk).exists()
        for attempt in itertools.count(1):
            try:
                # A savepoint: a lost race with a single create (API, web app) undoes
                # this attempt only; the next one reads the emails again.
                with transaction.atomic():
                    plan = _plan(account, user, valid, errors, on_duplicate)
                    return _write(account, plan)
            except IntegrityError:
                if attempt == WRITE_ATTEMPTS:
                    raise


WRITE_ATTEMPTS = 3


def _plan(account, user, valid, errors, on_duplicate) -> list[tuple[_Target, str]]:
    """Per valid row, the contact it writes and what happens to it ("created",
    "updated", "skipped"), against the emails in the account now; raises
    `BulkImportInvalid` with `errors` and the duplicates `on_duplicate` forbids. One
    query."""
    errors = list(errors)
    emails = {data["email"] for _i, data in valid if data.get("email")}
    existing = {
        c.email: c for c in Contact.objects.for_account(account).with_emails(emails).order_by()
    } if emails else {}

    targets_by_email: dict[str, _Target] = {}
    plan: list[tuple[_Target, str]] = []
    for index, data in valid:
        email = data.get("email") or ""
        target = targets_by_email.get(email) if email else None
        if target is None and email in existing:
            target = _Target(contact=existing[email], is_new=False)
            targets_by_email[email] = target
            outcome = "duplicate"
        elif target is not None:
            outcome = "duplicate"
        else:
            target = _Target(contact=Contact(account=account, owner=user), is_new=True)
            if email:
                targets_by_email[email] = target
            outcome = "created"
        if outcome == "duplicate" and on_duplicate == "error":
            message = (
                "A contact with this email already exists."
                if not target.is_new
                else "This email repeats an earlier row of the import."
            )
            errors.append({"index": index, "errors": {"email": [message]}})
            continue
        if outcome == "duplicate" and on_duplicate == "skip":
            plan.append((target, "skipped"))
            continue
        _apply(target, data)
        plan.append((target, "created" if outcome == "created" else "updated"))

    if errors:
        raise BulkImportInvalid(sorted(errors, key=lambda e: e["index"]))
    return plan


def _load_related(rows: list, querysets: dict) -> dict:
    """`{Model: {pk: row}}` for the ids the rows name in each field: one query a field."""
    cache = {}
    for field_name, queryset in querysets.items():
        ids = {
            parse_id(row.get(field_name)) for row in rows if isinstance(row, dict)
        } - {None}
        cache[queryset.model] = {obj.pk: obj for obj in queryset.filter(pk__in=ids)}
    return cache


def _apply(target: _Target, data: dict) -> None:
    data = dict(data)
    tag_names = data.pop("tags", None)
    if tag_names is not None:
        target.tag_names = tag_names
    for name, value in data.items():
        setattr(target.contact, name, value)
        target.changed.add(name)


def _write(account, plan) -> BulkImportResult:
    targets = list({id(t): t for t, _outcome in plan}.values())
    new = [t.contact for t in targets if t.is_new]
    Contact.objects.for_account(account).bulk_create(new)
    updates = [t for t in targets if not t.is_new and t.changed]
    if updates:
        fields = set().union(*(t.changed for t in updates)) | {"updated_at"}
        now = timezone.now()
        for t in updates:
            t.contact.updated_at = now
        Contact.objects.for_account(account).bulk_update(
            [t.contact for t in updates], sorted(fields)
        )
    tags_replace(
        account=account,
        through=ContactTag,
        field="contact",
        names_by_object={
            t.contact.pk: t.tag_names for t in targets if t.tag_names is not None
        },
    )
    result = BulkImportResult()
    for target, outcome in plan:
        setattr(result, outcome, getattr(result, outcome) + 1)
        result.ids.append(target.contact.pk)
    return result
