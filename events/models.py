"""The event log: one row per change to a record, appended in the change's transaction.

`events.services` is the only writer. The feed (`GET /api/v1/crm/events/`) and each
record's history read it; a recurring job purges rows older than the retention.
"""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from accounts.tenancy import AccountOwned, AccountScopedQuerySet


class Source(models.TextChoices):
    """The face a write came through."""

    API = "api", "API"
    UI = "ui", "Web app"
    ADMIN = "admin", "Admin"
    IMPORT = "import", "Import"
    SYSTEM = "system", "System"


# `record_type` values: the singular the API uses in `"record": {"type": ...}`.
RECORD_TYPES = ("contact", "company", "deal", "activity", "note")


class EventQuerySet(AccountScopedQuerySet):
    def after(self, event_id: int) -> "EventQuerySet":
        """Events past a poller's cursor, oldest first (index `event_feed`)."""
        return self.filter(id__gt=event_id).order_by("id")

    def of_record(self, record_type: str, record_id: int) -> "EventQuerySet":
        """One record's events, newest first (index `event_history`)."""
        return self.filter(record_type=record_type, record_id=record_id).order_by("-id")

    def older_than(self, moment) -> "EventQuerySet":
        return self.filter(at__lt=moment)


class Event(AccountOwned):
    """`<record type>.<action>` by an actor through a face, with what changed.

    `changes` maps each changed field to `[before, after]`; `data` is the record's
    full API representation after the change (before it, for `*.deleted`).
    """

    type = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # who did what is read per record, not per user
    )
    source = models.CharField(max_length=8, choices=Source.choices)
    record_type = models.CharField(max_length=20)
    record_id = models.BigIntegerField()
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = EventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["account", "id"], name="event_feed"),
            models.Index(
                fields=["account", "record_type", "record_id", "-id"], name="event_history"
            ),
            models.Index(fields=["account", "at"], name="event_age"),
        ]

    def __str__(self):
        return f"{self.type} {self.record_type} {self.record_id}"

    @property
    def action(self) -> str:
        return self.type.partition(".")[2]
