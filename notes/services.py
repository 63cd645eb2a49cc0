"""Every write to notes (and logged emails, calls and SMS): create, update, delete,
each atomic and recorded as `note.*` events in its transaction. The API, the web app's
timeline and the admin call these and never save a note themselves; bodies are
sanitised by the model on every save."""

from __future__ import annotations

from django.db import transaction

from events.models import Source
from events.recording import draft_deleted, record_create, record_delete, record_update
from events.representations import representation, representations
from events.services import events_append
from notes.api.serializers import NoteSerializer
from notes.models import Note


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


def note_delete(*, note: Note, by, source: Source) -> None:
    """Delete the note; `note.deleted`."""
    record_delete(
        queryset=Note.objects.for_account(note.account_id),
        record=note,
        by=by,
        source=source,
        record_type="note",
        serialize=note_representation,
    )


def notes_delete(*, account, by, source: Source, ids) -> int:
    """Delete the account's notes among `ids`, one `note.deleted` each, in a constant
    number of queries. Returns how many were deleted."""
    with transaction.atomic():
        notes = list(
            Note.objects.for_account(account)
            .filter(pk__in=list(ids))
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        befores = representations(NoteSerializer, notes)
        Note.objects.for_account(account).filter(pk__in=[n.pk for n in notes]).delete()
        events_append(
            account=account,
            by=by,
            source=source,
            drafts=[draft_deleted("note", before) for before in befores],
        )
    return len(notes)
