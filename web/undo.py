"""The "Deleted Ann Lee. [Undo]" message that follows every delete in the web app.

A delete view calls `offer_undo`: a success message whose extra tag names what was
deleted (`undo:contact:12,13`). The payload travels with the message itself, so the
Undo button shows exactly once, on the page that shows the message, however many
requests come in between (htmx partials included), and is gone with it. The button is
a small POST form to web/trash/'s undo endpoint (templates/web/_messages.html), which
restores those records from the trash.
"""

from dataclasses import dataclass

from django.contrib import messages

from events.models import RECORD_TYPES
from lib.ids import parse_id

TAG_PREFIX = "undo:"
MAX_RECORDS = 500  # the contacts list's bulk actions take at most this many ids


@dataclass(frozen=True)
class Undo:
    """What an Undo button restores: records of one type."""

    record_type: str
    ids: tuple[int, ...]

    @property
    def values(self) -> list[str]:
        """The form's `records` values ("contact:12"), as the restore form reads them."""
        return [f"{self.record_type}:{pk}" for pk in self.ids]


def offer_undo(request, text: str, *, record_type: str, ids) -> None:
    """Show `text` ("Deleted Ann Lee.") with an Undo button restoring `ids`."""
    ids = [int(pk) for pk in ids][:MAX_RECORDS]
    if record_type not in RECORD_TYPES:
        raise ValueError(f"Unknown record type {record_type!r}.")
    if not ids:
        messages.success(request, text)
        return
    tag = f"{TAG_PREFIX}{record_type}:{','.join(map(str, ids))}"
    messages.success(request, text, extra_tags=tag)


def undo_of(message) -> Undo | None:
    """The Undo a message offers, or None (any other message, or a mangled tag)."""
    for tag in (message.extra_tags or "").split():
        if not tag.startswith(TAG_PREFIX):
            continue
        record_type, _, ids = tag[len(TAG_PREFIX) :].partition(":")
        parsed = tuple(pk for pk in (parse_id(value) for value in ids.split(",")) if pk)
        if record_type in RECORD_TYPES and parsed:
            return Undo(record_type=record_type, ids=parsed)
    return None
