"""Notes and logged communications (emails, calls, SMS) on CRM records."""

from contextvars import ContextVar

from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.tenancy import AccountOwned, AccountScopedQuerySet
from events.loaded_values import KeepsLoadedValues
from lib.calendar_range import validate_calendar_range
from lib.links import link_to, owner_link
from lib.search import PrefixSearch, SearchIndex
from notes.sanitize import plain_text, sanitize_body

SEARCH_VECTOR = SearchVector("body", config="simple")
NOTE_SEARCH = PrefixSearch(vector=SEARCH_VECTOR, fields=("body",))


EMPTY_LIST = models.Value([], output_field=models.JSONField())


class NoteQuerySet(AccountScopedQuerySet):
    """Every way into the table sanitises the body, as `Note.save()` does: the pages
    render bodies as they are stored (`|safe`), so a path that skipped nh3 would be an
    XSS."""

    def search(self, text: str):
        """Notes whose body matches every word of `text` as a prefix."""
        return NOTE_SEARCH.filter(self, text)

    def bulk_create(self, objs, *args, **kwargs):
        """Like save(), sanitises each body."""
        objs = list(objs)
        for note in objs:
            note.body = sanitize_body(_text(note.body))
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        """Like save(), sanitises each body (when `body` is written)."""
        objs = list(objs)
        if "body" in fields:
            for note in objs:
                note.body = sanitize_body(_text(note.body))
        # Django writes the batch with update(body=Case(...)) of the bodies above.
        token = _BODIES_SANITISED.set(True)
        try:
            return super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _BODIES_SANITISED.reset(token)

    def update(self, **kwargs):
        """Sanitises a new `body`. It must be text: an expression (`F()`, `Concat()`)
        could assemble markup inside the database, past the sanitiser."""
        if "body" in kwargs and not _BODIES_SANITISED.get():
            kwargs["body"] = sanitize_body(_text(kwargs["body"]))
        return super().update(**kwargs)


_BODIES_SANITISED: ContextVar[bool] = ContextVar("note_bodies_sanitised", default=False)


def _text(body) -> str:
    if not isinstance(body, str):
        raise TypeError("A note body is written as text, so that it can be sanitised.")
    return body


class Note(KeepsLoadedValues, AccountOwned):
    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        EMAIL = "email", "Email"
        CALL = "call", "Call"
        SMS = "sms", "SMS"

    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound"
        OUTBOUND = "outbound", "Outbound"

    body = models.TextField(max_length=10_000)
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.NOTE)
    direction = models.CharField(max_length=8, choices=Direction.choices, null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, validators=[validate_calendar_range])
    contact = link_to("contacts.Contact", "notes")
    company = link_to("companies.Company", "notes")
    deal = link_to("deals.Deal", "notes")
    author = owner_link()
    # A logged email's headers (notes/email_messages.py). Not part of the API's note
    # (API.md, "Notes", has no such fields); the web app's timeline shows them. Database
    # defaults too, so that writers of plain SQL (the benchmark's loader) need not
    # know them.
    subject = models.CharField(max_length=300, blank=True, default="", db_default="")
    from_address = models.CharField(max_length=400, blank=True, default="", db_default="")
    to_addresses = models.JSONField(default=list, blank=True, db_default=EMPTY_LIST)
    cc_addresses = models.JSONField(default=list, blank=True, db_default=EMPTY_LIST)
    # [{"name", "size", "content_type"}]: listed, never stored.
    attachments = models.JSONField(default=list, blank=True, db_default=EMPTY_LIST)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoteQuerySet.as_manager()
    row_counted = True  # lists read count() from accounts.RowCount

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__isnull=True) | ~Q(kind="note"),
                name="note_direction_only_for_communications",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "occurred_at"], name="note_by_occurred"),
            models.Index(fields=["account", "contact", "occurred_at"], name="note_by_contact"),
            models.Index(fields=["account", "company", "occurred_at"], name="note_by_company"),
            models.Index(fields=["account", "deal", "occurred_at"], name="note_by_deal"),
            models.Index(fields=["account", "created_at"], name="note_by_created"),
            models.Index(fields=["account", "updated_at"], name="note_by_updated"),
            # Search (lib/search.py): PostgreSQL only; needs the btree_gin extension.
            SearchIndex(F("account"), SEARCH_VECTOR, name="note_search"),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return plain_text(self.body, limit=80)

    def save(self, *args, **kwargs):
        # Sanitised on every save, whichever face wrote it (API, admin, import).
        self.body = sanitize_body(self.body)
        super().save(*args, **kwargs)
