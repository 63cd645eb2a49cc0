"""Every write to contacts: one record (create, update, delete, tags), bulk actions of
the contacts list, and the bulk import. Each is atomic and appends its events
(`contact.*`) in its transaction; the API, the web app, the admin and the imports call
these and never save a contact themselves."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import Account, Tag, User, tag_key
from accounts.tags import (
    attach_tag_lists,
    normalise_tag_names,
    tags_get_or_create,
    tags_replace,
)
from companies.models import Company
from contacts.api.serializers import ContactSerializer
from contacts.models import Contact, ContactTag
from customfields.values import changed_values, definitions_for, validate_custom_values
from events.kinds import RecordKind, register
from events.models import Source
from events.recording import (
    current,
    draft_created,
    draft_updated,
    record_create,
    record_tags_change,
    record_update,
)
from events.representations import representation, representations
from events.services import events_append
from lib.ids import parse_id
from trash.merging import record_merge
from trash.services import records_trash

# -- one contact -----------------------------------------------------------------


def contact_representation(contact: Contact) -> dict:
    """The contact's API representation (an event's `data`); its `tag_list` must be
    loaded, so this costs no query."""
    return representation(ContactSerializer, contact)


def contacts_representations(contacts: list[Contact]) -> list[dict]:
    """API representations of many contacts: loads their tags in one query."""
    attach_tag_lists(Contact, contacts)
    return representations(ContactSerializer, contacts)


def contact_create(*, account, by, source: Source, data: dict) -> Contact:
    """Create a contact from validated field values (`tags` as names); `contact.created`."""
    return record_create(
        model=Contact,
        account=account,
        by=by,
        source=source,
        record_type="contact",
        data=data,
        serialize=contact_representation,
    )


def contact_update(*, contact: Contact, by, source: Source, data: dict) -> Contact:
    """Write the fields of `data` that differ from the stored contact (and its tags,
    as names); `contact.updated` with what changed. Returns the contact as stored."""
    return record_update(
        queryset=Contact.objects.for_account(contact.account_id),
        record=contact,
        by=by,
        source=source,
        record_type="contact",
        data=data,
        serialize=contact_representation,
    )


CONTACT = register(
    RecordKind(
        model=Contact,
        record_type="contact",
        represent=contact_representation,
        represent_many=contacts_representations,
        title=lambda data: f"{data.get('first_name') or ''} {data.get('last_name') or ''}".strip(),
    )
)


def contact_delete(*, contact: Contact, by, source: Source) -> None:
    """Move the contact to the trash (its notes, deals and activities stay, unlinked);
    `contact.deleted`."""
    with transaction.atomic():
        locked = current(Contact.objects.for_account(contact.account_id), contact)
        records_trash(CONTACT, rows=[locked], by=by, source=source)


# The fields a merge takes from the other contact (and `prefer_other` may name); tags
# are always united.
CONTACT_MERGE_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "company",
    "owner",
    "custom_fields",
)


def contact_merge(*, contact: Contact, other, prefer_other=(), by, source: Source) -> Contact:
    """Merge `other` (a contact or its id) into `contact`, which keeps its id: empty
    fields filled from the other, those in `prefer_other` taken from it when not empty,
    custom fields key by key, tags united; the other's deals, activities and notes move
    here; the other goes to the trash (`contact.deleted`) and restoring it undoes the
    merge. `contact.merged`. ValidationError on `other` (itself, missing, another
    account's, in the trash) or `prefer_other` (not a field above)."""
    return record_merge(
        CONTACT,
        record=contact,
        other=other,
        fields=CONTACT_MERGE_FIELDS,
        prefer_other=prefer_other,
        by=by,
        source=source,
    )


def contact_tag_add(*, contact: Contact, by, source: Source, name: str) -> Contact:
    """Add one tag by name (created if needed); `contact.updated` when it is new here."""
    return record_tags_change(
        queryset=Contact.objects.for_account(contact.account_id),
        record=contact,
        by=by,
        source=source,
        record_type="contact",
        serialize=contact_representation,
        add=(name,),
    )


def contact_tag_remove(*, contact: Contact, by, source: Source, tag: Tag) -> Contact:
    """Take one tag off this contact (the tag stays); `contact.updated` if it had it."""
    return record_tags_change(
        queryset=Contact.objects.for_account(contact.account_id),
        record=contact,
        by=by,
        source=source,
        record_type="contact",
        serialize=contact_representation,
        remove_ids=(tag.pk,),
    )


# -- bulk actions (the contacts list) --------------------------------------------
# Each locks the selected rows, writes them with one statement and appends one event
# per changed contact with `events_append`: a constant number of queries per batch.


def _locked_batch(account, ids) -> list[Contact]:
    """The account's contacts among `ids`, locked, in id order (so two bulk actions
    lock in the same order and never deadlock), with their tags: two queries."""
    contacts = list(
        Contact.objects.for_account(account)
        .filter(pk__in=list(ids))
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    attach_tag_lists(Contact, contacts)
    return contacts


def contacts_add_tag(*, account, by, source: Source, ids, name: str) -> int:
    """Put the tag `name` (created if needed) on each of the account's contacts among
    `ids`; those that have it already keep it unchanged. Returns how many were selected."""
    with transaction.atomic():
        contacts = _locked_batch(account, ids)
        tag = tags_get_or_create(account=account, names=[name])[tag_key(name)]
        befores = representations(ContactSerializer, contacts)
        gaining = [c for c in contacts if tag.pk not in {t.pk for t in c.tag_list}]
        ContactTag.objects.for_account(account).bulk_create(
            [ContactTag(account_id=account.pk, contact_id=c.pk, tag=tag) for c in gaining],
            ignore_conflicts=True,
        )
        now = timezone.now()
        Contact.objects.for_account(account).filter(pk__in=[c.pk for c in gaining]).update(
            updated_at=now
        )
        for contact in gaining:
            contact.updated_at = now
            contact.tag_list = sorted([*contact.tag_list, tag], key=lambda t: t.name_key)
        _append_updates(account, by, source, contacts, befores)
    return len(contacts)


def contacts_assign_owner(*, account, by, source: Source, ids, owner) -> int:
    """Make `owner` (a member, or None) the owner of the account's contacts among
    `ids`. Returns how many were selected."""
    owner_id = owner.pk if owner is not None else None
    with transaction.atomic():
        contacts = _locked_batch(account, ids)
        befores = representations(ContactSerializer, contacts)
        moving = [c for c in contacts if c.owner_id != owner_id]
        now = timezone.now()
        Contact.objects.for_account(account).filter(pk__in=[c.pk for c in moving]).update(
            owner_id=owner_id, updated_at=now
        )
        for contact in moving:
            contact.owner_id, contact.updated_at = owner_id, now
        _append_updates(account, by, source, contacts, befores)
    return len(contacts)


def contacts_delete(*, account, by, source: Source, ids) -> int:
    """Move the account's contacts among `ids` to the trash (their notes, deals and
    activities stay, unlinked). Returns how many were deleted."""
    with transaction.atomic():
        return records_trash(CONTACT, rows=_locked_batch(account, ids), by=by, source=source)


# The fields `contacts_update` writes, by API name: the ones an import can write.
BULK_UPDATE_FIELDS = ("first_name", "last_name", "email", "phone", "title", "company", "owner")


def contacts_update(*, account, by, source: Source, data_by_id: dict[int, dict]) -> int:
    """Write field values to many of the account's contacts: `{contact id: {field:
    value}}` with API names (`company` and `owner` as ids or None, `tags` as names,
    replacing the contact's tags), for the fields of `BULK_UPDATE_FIELDS` and tags.

    As `contact_update` for each, in a constant number of queries: the rows are locked,
    only values that differ are written (with `updated_at`), and each contact that
    changed gets its `contact.updated`. Ids that are not the account's contacts (any
    more) are left out; a company or owner that is not the account's is a ValueError,
    and nothing is written. Returns how many contacts changed.
    """
    unknown = {name for values in data_by_id.values() for name in values} - {
        *BULK_UPDATE_FIELDS,
        "tags",
    }
    if unknown:
        raise ValueError(f"contacts_update cannot write {sorted(unknown)}.")
    with transaction.atomic():
        contacts = _locked_batch(account, data_by_id)
        _check_related(account, [data_by_id[c.pk] for c in contacts])
        befores = representations(ContactSerializer, contacts)
        changed_fields: set[str] = set()
        names_by_contact: dict[int, list[str]] = {}
        changed: list[Contact] = []
        for contact, before in zip(contacts, befores, strict=True):
            values = dict(data_by_id[contact.pk])
            names = values.pop("tags", None)
            fields = [name for name, value in values.items() if before[name] != value]
            for name in fields:
                attname = Contact._meta.get_field(name).attname
                setattr(contact, attname, values[name])
            if names is not None and sorted(normalise_tag_names(names)) != sorted(
                t["name"] for t in before["tags"]
            ):
                names_by_contact[contact.pk] = names
            if fields or contact.pk in names_by_contact:
                changed_fields.update(fields)
                changed.append(contact)
        now = timezone.now()
        for contact in changed:
            contact.updated_at = now
        if changed:
            Contact.objects.for_account(account).bulk_update(
                changed, sorted({*changed_fields, "updated_at"})
            )
        tags = tags_replace(
            account=account, through=ContactTag, field="contact", names_by_object=names_by_contact
        )
        for contact in contacts:
            if contact.pk in names_by_contact:
                contact.tag_list = sorted(
                    (tags[tag_key(n)] for n in normalise_tag_names(names_by_contact[contact.pk])),
                    key=lambda tag: (tag.name_key, tag.pk),
                )
        _append_updates(account, by, source, contacts, befores)
    return len(changed)


def _check_related(account, rows: list[dict]) -> None:
    """Every company and owner id the rows name is the account's: two queries at most.
    The companies are locked against deletion until the transaction ends, as one
    record's write does (events/link_targets.py), but in one query."""
    for name, queryset in (
        ("company", Company.objects.for_account(account)),
        ("owner", User.objects.members_of(account)),
    ):
        ids = {row[name] for row in rows if row.get(name) is not None}
        if not ids:
            continue
        found = (
            _key_share_companies(account, ids)
            if name == "company"
            else queryset.filter(pk__in=ids).count()
        )
        if found != len(ids):
            raise ValueError(f"Not a {name} of this account.")


def _key_share_companies(account, ids: set[int]) -> int:
    """How many of the account's companies among `ids` exist, locked FOR KEY SHARE on
    PostgreSQL (Django's select_for_update() has no such mode)."""
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        return Company.objects.for_account(account).filter(pk__in=ids).count()
    table = connection.ops.quote_name(Company._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE account_id = %s AND id = ANY(%s) FOR KEY SHARE",
            [account.pk, sorted(ids)],
        )
        return len(cursor.fetchall())


def _append_updates(account, by, source, contacts, befores) -> None:
    afters = representations(ContactSerializer, contacts)
    events_append(
        account=account,
        by=by,
        source=source,
        drafts=[
            draft_updated("contact", before, after)
            for before, after in zip(befores, afters, strict=True)
        ],
    )


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
    # The `contact.created` and `contact.updated` events appended, one per contact
    # written (an import records them: contacts.models_import.ContactImportRecord).
    events: list = field(default_factory=list)


@dataclass
class _Target:
    """One contact the batch writes: a new one, or an existing one to update."""

    contact: Contact
    is_new: bool
    changed: set[str] = field(default_factory=set)
    tag_names: list[str] | None = None


def contact_bulk_import(
    *,
    account,
    user: User,
    source: Source,
    rows: list,
    on_duplicate: str = "error",
    validate_row,
    merge_custom_fields: bool = False,
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
    `user` is the actor and the new contacts' owner. Appends `contact.created` and
    `contact.updated` events in bulk. Costs a constant number of queries whatever the
    number of rows.

    With `merge_custom_fields` (the CSV import, whose empty cells never overwrite),
    a row's `custom_fields` are merged key by key into an updated contact's instead
    of replacing them.
    """
    if on_duplicate not in ON_DUPLICATE:
        raise ValueError(f"on_duplicate must be one of {ON_DUPLICATE}")

    related_cache = _load_related(
        rows,
        {
            # Every member, each marked `assignable`: a deactivated one is refused
            # by name (accounts/api/fields.py MemberField).
            "owner": User.objects.with_assignable(account),
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

    # Custom field values are checked against the account's definitions when each
    # row is planned (required keys only for the contacts it creates).
    definitions = definitions_for(account.pk, "contact")

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
                    plan, befores = _plan(
                        account,
                        user,
                        valid,
                        errors,
                        on_duplicate,
                        definitions,
                        merge_custom_fields=merge_custom_fields,
                    )
                    result = _write(account, plan)
                    result.events = _append_import_events(account, user, source, plan, befores)
                    return result
            except IntegrityError:
                if attempt == WRITE_ATTEMPTS:
                    raise


WRITE_ATTEMPTS = 3


def _plan(account, user, valid, errors, on_duplicate, definitions=(), *, merge_custom_fields=False):
    """Per valid row, the contact it writes and what happens to it ("created",
    "updated", "skipped"), against the emails in the account now, and the API
    representations of the contacts it may update, by id; raises `BulkImportInvalid`
    with `errors` and the duplicates `on_duplicate` forbids. One query (two more when
    existing contacts may be updated)."""
    errors = list(errors)
    emails = {data["email"] for _i, data in valid if data.get("email")}
    existing = (
        {c.email: c for c in Contact.objects.for_account(account).with_emails(emails).order_by()}
        if emails
        else {}
    )
    befores = {}
    if existing and on_duplicate == "update":
        found = list(existing.values())
        befores = {r["id"]: r for r in contacts_representations(found)}

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
        if merge_custom_fields and "custom_fields" in data:
            merged = {**(target.contact.custom_fields or {}), **data["custom_fields"]}
            data = {**data, "custom_fields": merged}
        problem = _custom_fields_problem(definitions, target, data, creating=outcome == "created")
        if problem:
            errors.append({"index": index, "errors": problem})
            continue
        _apply(target, data)
        plan.append((target, "created" if outcome == "created" else "updated"))

    if errors:
        raise BulkImportInvalid(sorted(errors, key=lambda e: e["index"]))
    return plan, befores


def _custom_fields_problem(definitions, target: _Target, data: dict, *, creating: bool):
    """The row's custom field errors (`{"custom_fields": [...]}`), or None: on create
    the whole object, on update the keys it changes. No query."""
    if not definitions or (not creating and "custom_fields" not in data):
        return None
    values = data.get("custom_fields")
    if not creating:
        values = changed_values(target.contact.custom_fields, values)
    try:
        validate_custom_values(definitions=definitions, values=values, creating=creating)
    except ValidationError as exc:
        return exc.message_dict
    return None


def _load_related(rows: list, querysets: dict) -> dict:
    """`{Model: {pk: row}}` for the ids the rows name in each field: one query a field."""
    cache = {}
    for field_name, queryset in querysets.items():
        ids = {parse_id(row.get(field_name)) for row in rows if isinstance(row, dict)} - {None}
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
    tags = tags_replace(
        account=account,
        through=ContactTag,
        field="contact",
        names_by_object={t.contact.pk: t.tag_names for t in targets if t.tag_names is not None},
    )
    # Each written contact's tags as they now are, for its event (no query): new
    # names, else none for a new contact, else those `_plan` loaded.
    for target in targets:
        if target.tag_names is not None:
            target.contact.tag_list = sorted(
                (tags[tag_key(name)] for name in normalise_tag_names(target.tag_names)),
                key=lambda tag: (tag.name_key, tag.pk),
            )
        elif target.is_new:
            target.contact.tag_list = []
    result = BulkImportResult()
    for target, outcome in plan:
        setattr(result, outcome, getattr(result, outcome) + 1)
        result.ids.append(target.contact.pk)
    return result


def _append_import_events(account, user, source, plan, befores) -> list:
    """`contact.created` or `contact.updated` for each contact the import wrote: one
    serialization of the batch (`_write` set their tags), one bulk insert."""
    written = list({id(t): t for t, outcome in plan if outcome != "skipped"}.values())
    afters = representations(ContactSerializer, [t.contact for t in written])
    drafts = []
    for target, after in zip(written, afters, strict=True):
        if target.is_new:
            drafts.append(draft_created("contact", after))
        else:
            drafts.append(draft_updated("contact", befores[target.contact.pk], after))
    return events_append(account=account, by=user, source=source, drafts=drafts)
