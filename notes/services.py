"""Every write to notes (and logged emails, calls and SMS): create, update, delete,
each atomic and recorded as `note.*` events in its transaction. The API, the web app's
timeline and the admin call these and never save a note themselves; bodies are
sanitised by the model on every save."""

from __future__ import annotations

import html

from django.db import transaction
from django.utils.html import strip_tags
from django.utils.text import Truncator

from contacts.models import Contact
from events.kinds import RecordKind, register
from events.models import Source
from events.recording import current, record_create, record_update
from events.representations import representation
from notes.api.serializers import NoteSerializer
from notes.email_messages import LoggedEmail
from notes.models import Note
from trash.services import records_trash


def note_representation(note: Note) -> dict:
    """The note's API representation (an event's `data`); no query."""
    return representation(NoteSerializer, note)


def note_create(*, account, by, source: Source, data: dict) -> Note:
    """Create a note from validated field values; `author` defaults to `by`;
    `note.created`."""
    return record_create(
        model=Note,
        account=account,
        by=by,
        source=source,
        record_type="note",
        data={"author": by} | dict(data),
        serialize=note_representation,
    )


def note_log_email(
    *, account, by, source: Source, email: LoggedEmail, direction: str, link: dict
) -> Note:
    """Log `email` as a note of kind "email" on the record `link` names
    (`{"deal_id": 7}`); `note.created`.

    The note has one contact: the linked one when `link` names a contact (the email was
    logged on that contact's page, whoever it was addressed to), else the first contact
    of the account whose address appears in From, To or Cc, in that order — the user's
    own address left out, so an outgoing email links its first recipient. One query
    finds it; another account's contacts are never considered."""
    data = dict(link)
    if "contact_id" not in data and "contact" not in data:
        data["contact"] = first_contact_of(
            account=account, addresses=email.addresses(), excluding=getattr(by, "email", "")
        )
    return note_create(
        account=account,
        by=by,
        source=source,
        data={
            **data,
            "kind": Note.Kind.EMAIL,
            "direction": direction,
            "body": email.body,
            "subject": email.subject,
            "from_address": email.sender,
            "to_addresses": email.to,
            "cc_addresses": email.cc,
            "attachments": [attachment.as_json() for attachment in email.attachments],
            **({"occurred_at": email.sent_at} if email.sent_at else {}),
        },
    )


def first_contact_of(*, account, addresses: list[str], excluding: str = "") -> Contact | None:
    """The account's contact whose email comes first in `addresses` (lower-cased), or
    None; `excluding` (the user's own address) never matches. One query."""
    excluded = (excluding or "").strip().lower()
    wanted = [address for address in addresses if address and address != excluded]
    if not wanted:
        return None
    found = {
        contact.email: contact
        for contact in Contact.objects.for_account(account).with_emails(wanted)
    }
    return next((found[address] for address in wanted if address in found), None)


def note_update(*, note: Note, by, source: Source, data: dict) -> Note:
    """Write the fields of `data` that differ from the stored note; `note.updated`."""
    return record_update(
        queryset=Note.objects.for_account(note.account_id),
        record=note,
        by=by,
        source=source,
        record_type="note",
        data=data,
        serialize=note_representation,
    )


def note_title(data: dict) -> str:
    """The start of the note as plain text (the trash's title)."""
    text = html.unescape(strip_tags(data.get("body") or ""))
    return Truncator(" ".join(text.split())).chars(80)


NOTE = register(
    RecordKind(model=Note, record_type="note", represent=note_representation, title=note_title)
)


def note_delete(*, note: Note, by, source: Source) -> None:
    """Move the note to the trash; `note.deleted`."""
    with transaction.atomic():
        locked = current(Note.objects.for_account(note.account_id), note)
        records_trash(NOTE, rows=[locked], by=by, source=source)


def notes_delete(*, account, by, source: Source, ids) -> int:
    """Move the account's notes among `ids` to the trash, one `note.deleted` each, in a
    constant number of queries. Returns how many were deleted."""
    with transaction.atomic():
        notes = list(
            Note.objects.for_account(account)
            .filter(pk__in=list(ids))
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        return records_trash(NOTE, rows=notes, by=by, source=source)
