"""Emails logged as notes: what a raw message (an `.eml` file, or its source pasted)
says, read with Python's `email` package, and the same details typed by hand.

Only what a CRM shows is kept: subject, date, sender, recipients, the body as a note
body (sanitised HTML, at most a note's 10,000 characters) and the attachments' names
and sizes. Attachments themselves are not stored.

The `email` package reads almost anything without complaint (a text file is a message
with no headers), and its header parser raises an assortment of exceptions on some
broken input. `parse_message` turns both into `MalformedMessage` with a sentence a
person can act on, so that no upload ends in a 500.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from email import errors as email_errors
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser

from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks

from lib.calendar_range import validate_calendar_range
from notes.sanitize import plain_text, sanitize_email_html

MAX_MESSAGE_BYTES = 10 * 1024 * 1024
MAX_BODY_CHARS = 10_000  # a note's body (API.md, "Notes")
MAX_SUBJECT_CHARS = 300
MAX_ADDRESSES = 100  # per header kept on the note; the rest are dropped
MAX_ATTACHMENTS = 100
EMPTY_BODY = "<p><em>No text in this message.</em></p>"
CUT_MARK = "<p><em>The message was shortened to fit a note.</em></p>"

# Whatever the email package raises on broken input besides its own MessageError:
# header parsers index past the end of a token list, unknown charsets are LookupErrors.
_PARSE_ERRORS = (
    email_errors.MessageError,
    ValueError,
    LookupError,
    IndexError,
    AttributeError,
    TypeError,
    UnicodeError,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class MalformedMessage(ValueError):
    """The input is not an email message we can read; the text says why."""


@dataclass(frozen=True)
class Attachment:
    name: str
    size: int  # bytes, decoded
    content_type: str

    def as_json(self) -> dict:
        return {"name": self.name, "size": self.size, "content_type": self.content_type}


@dataclass(frozen=True)
class LoggedEmail:
    """One email as the note keeps it. Addresses are display strings
    (`"Ann Lee <ann@example.com>"`); `addresses()` gives the bare ones."""

    subject: str
    body: str  # note body HTML (sanitised by the model again on save)
    sender: str = ""
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    sent_at: datetime.datetime | None = None
    attachments: list[Attachment] = field(default_factory=list)

    def addresses(self) -> list[str]:
        """Bare lower-cased addresses of From, To and Cc, in that order, each once."""
        found = []
        for display in [self.sender, *self.to, *self.cc]:
            address = bare_address(display)
            if address and address not in found:
                found.append(address)
        return found

    def is_from(self, own_address: str) -> bool:
        """Whether the sender is `own_address` (case-insensitive): an outgoing email."""
        own = (own_address or "").strip().lower()
        return bool(own) and bare_address(self.sender) == own


def bare_address(display: str) -> str:
    """`"Ann Lee <Ann@Example.com>"` → `"ann@example.com"`; '' when there is none."""
    found = read_addresses(display)
    return found[0][1] if found else ""


def read_addresses(text: str) -> list[tuple[str, str]]:
    """`(display string, bare lower-cased address)` of every valid address in a header
    value or in what someone typed ("ann@example.com, Bob <bob@example.com>")."""
    if not text or not text.strip():
        return []
    try:
        header = policy.default.header_factory("to", _CONTROL.sub(" ", text))
        addresses = header.addresses
    except _PARSE_ERRORS:
        return []
    return [pair for address in addresses if (pair := _pair(address))]


def _pair(address: Address) -> tuple[str, str] | None:
    spec = address.addr_spec
    if not address.username or not address.domain or "@" not in spec or " " in spec:
        return None
    return str(address)[:400], spec.lower()[:320]


def parse_message(raw: bytes) -> LoggedEmail:
    """The email in `raw` (RFC 5322 bytes, any charset). Raises `MalformedMessage`."""
    if not raw.strip():
        raise MalformedMessage("The message is empty.")
    if len(raw) > MAX_MESSAGE_BYTES:
        raise MalformedMessage(
            f"The message is larger than {MAX_MESSAGE_BYTES // (1024 * 1024)} MB."
        )
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        return _logged(message)
    except MalformedMessage:
        raise
    except _PARSE_ERRORS as exc:
        raise MalformedMessage(
            "This message could not be read: its headers or structure are broken."
        ) from exc


def _logged(message: EmailMessage) -> LoggedEmail:
    if not any(message.get(name) is not None for name in ("from", "to", "subject", "date")):
        raise MalformedMessage(
            "This is not an email message: it has none of the headers From, To, Subject "
            "or Date. Save the email from your mail program as an .eml file, or paste "
            "its full source (in Gmail: “Show original”)."
        )
    senders = read_addresses(str(message.get("from", "")))
    if not senders:
        raise MalformedMessage(
            "The message has no sender: its From header is missing or has no address."
        )
    text_part, html_part = _body_parts(message)
    body_parts = [part for part in (text_part, html_part) if part is not None]
    return LoggedEmail(
        subject=one_line(str(message.get("subject", "")), MAX_SUBJECT_CHARS),
        body=note_body(html=_text_of(html_part), text=_text_of(text_part)),
        sender=senders[0][0],
        to=_displays(message, "to"),
        cc=_displays(message, "cc"),
        sent_at=_sent_at(message),
        attachments=list(_attachments(message, body_parts))[:MAX_ATTACHMENTS],
    )


def one_line(text: str, limit: int) -> str:
    """Whitespace and control characters folded to single spaces, cut at `limit`."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _displays(message: EmailMessage, name: str) -> list[str]:
    # A header may repeat (two To lines): every one counts.
    values = message.get_all(name) or []
    pairs = [pair for value in values for pair in read_addresses(str(value))]
    return [display for display, _address in pairs][:MAX_ADDRESSES]


def _sent_at(message: EmailMessage) -> datetime.datetime | None:
    header = message.get("date")
    moment = getattr(header, "datetime", None)
    if moment is None:
        return None
    if moment.tzinfo is None:  # "-0000": the sender did not say; RFC 5322 means UTC
        moment = moment.replace(tzinfo=datetime.UTC)
    try:
        validate_calendar_range(moment)
    except ValidationError:  # a date no page could show counts as no date
        return None
    return moment


def _body_parts(message: EmailMessage):
    """The plain-text and HTML bodies (either may be None); attachments never count."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return text, html


def _text_of(part) -> str:
    """The part's text, decoded with its charset; an unknown or lying charset falls
    back to UTF-8 with replacement characters rather than failing."""
    if part is None:
        return ""
    try:
        return part.get_content()
    except _PARSE_ERRORS:
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace")


def _attachments(part, body_parts):
    """Attachments by name and size, depth first; a forwarded message is one."""
    if any(part is body for body in body_parts):
        return
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        subject = str(inner.get("subject", "")) if hasattr(inner, "get") else ""
        name = part.get_filename() or f"{one_line(subject, 120) or 'Forwarded message'}.eml"
        size = len(inner.as_bytes()) if hasattr(inner, "as_bytes") else 0
        yield Attachment(name=one_line(name, 255), size=size, content_type=content_type)
        return
    if part.is_multipart():
        for sub in part.iter_parts():
            yield from _attachments(sub, body_parts)
        return
    name = part.get_filename()
    if name or part.get_content_disposition() == "attachment":
        size = len(part.get_payload(decode=True) or b"")
        yield Attachment(
            name=one_line(name or "Unnamed attachment", 255),
            size=size,
            content_type=content_type,
        )


def note_body(*, html: str = "", text: str = "") -> str:
    """The note body for an email: its HTML sanitised when it fits a note, else its
    text (or the HTML's text) as paragraphs, shortened to fit with a mark saying so."""
    if html.strip():
        cleaned = sanitize_email_html(html).strip()
        if plain_text(cleaned, limit=MAX_BODY_CHARS):
            if len(cleaned) <= MAX_BODY_CHARS:
                return cleaned
            text = text if text.strip() else plain_text(cleaned, limit=len(cleaned))
    if not text.strip():
        return EMPTY_BODY
    return text_body(text, limit=MAX_BODY_CHARS)


def text_body(text: str, *, limit: int) -> str:
    """Plain text as note HTML (paragraphs, line breaks) of at most `limit`
    characters: cut (with a mark) where the whole would not fit."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    whole = linebreaks(escape(text))
    if len(whole) <= limit:
        return whole
    room = limit - len(CUT_MARK)
    low, high = 0, min(len(text), limit)  # escaping only lengthens: limit chars is a bound
    while low < high:  # the longest prefix whose HTML fits
        middle = (low + high + 1) // 2
        if len(linebreaks(escape(text[:middle].rstrip() + "…"))) <= room:
            low = middle
        else:
            high = middle - 1
    return linebreaks(escape(text[:low].rstrip() + "…")) + CUT_MARK
