"""Notes and logged communications (emails, calls, SMS) on CRM records."""

from django.contrib.postgres.search import SearchVector
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from accounts.calendar_range import validate_calendar_range
from accounts.links import link_to, owner_link
from accounts.search import PrefixSearch, SearchIndex
from accounts.tenancy import AccountOwned, AccountScopedQuerySet
from notes.sanitize import plain_text, sanitize_body

SEARCH_VECTOR = SearchVector("body", config="simple")
NOTE_SEARCH = PrefixSearch(vector=SEARCH_VECTOR, fields=("body",))


class NoteQuerySet(AccountScopedQuerySet):
    def search(self, text: str):
        """Notes whose body matches every word of `text` as a prefix."""
        return NOTE_SEARCH.filter(self, text)


class Note(AccountOwned):
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
    direction = models.CharField(max_length=8, choices=Direction.choices, null=True,
                                 blank=True)
    occurred_at = models.DateTimeField(default=timezone.now,
                                       validators=[validate_calendar_range])
    contact = link_to("contacts.Contact", "notes")
    company = link_to("companies.Company", "notes")
    deal = link_to("deals.Deal", "notes")
    author = owner_link()
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
            # Search (accounts/search.py): PostgreSQL only; needs the btree_gin extension.
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
