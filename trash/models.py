"""The trash: deleted records, kept 30 days so they can be restored.

A deleted record leaves its table, so every list, search, count, forecast, timeline and
index of the live records is exactly what it would be had the record been deleted for
good: trashed rows cost the live ones nothing, and no query anywhere needs to remember
to leave them out. Its row moves here instead, as the values of its columns, with its
tags and the links that pointed at it (a company's contacts, subsidiaries, deals,
activities and notes...), which the delete cleared. Restoring inserts the row again
with the same id and re-links what still points nowhere (trash/services.py).

A record merged into another (contacts and companies) lands here too, with what the
merge did (`merge`), so that restoring it undoes the merge.
"""

import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from accounts.tenancy import AccountOwned, AccountScopedQuerySet

RETENTION = datetime.timedelta(days=30)


class TrashedRecordQuerySet(AccountScopedQuerySet):
    def newest_first(self):
        """Index `trash_newest`."""
        return self.order_by("-deleted_at", "-id")

    def of_type(self, record_type: str):
        return self.filter(record_type=record_type)

    def expired(self, now=None):
        """Deleted more than the retention ago: due for purging (index `trash_age`)."""
        return self.filter(deleted_at__lt=(now or timezone.now()) - RETENTION)

    def holding(self, record_type: str, attname: str, ids):
        """Trashed records of `record_type` whose column `attname` is among `ids` (the
        trashed deals that need a pipeline or a stage)."""
        return self.filter(record_type=record_type, **{f"row__{attname}__in": list(ids)})

    def counted_by(self, attname: str) -> dict:
        """{value of the trashed rows' column `attname`: how many rows hold it}, grouped
        by the database over the rows' JSON (one query, however many rows: the trashed
        deals per stage, without reading them)."""
        return dict(self.values_list(f"row__{attname}").annotate(n=models.Count("pk")).order_by())


class TrashedRecord(AccountOwned):
    """One deleted record: enough to insert it again as it was and to re-link it."""

    record_type = models.CharField(max_length=20)  # "contact", as in events
    record_id = models.BigIntegerField()
    title = models.CharField(max_length=200, blank=True)
    deleted_at = models.DateTimeField(default=timezone.now)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # read per account, never per user
    )
    # {column attname: value} of every column but `id` and `account_id`.
    row = models.JSONField(encoder=DjangoJSONEncoder)
    tags = models.JSONField(default=list, blank=True)  # names
    # What pointed at the record when it was deleted: [{"model": "deals.deal",
    # "field": "contact", "ids": [...]}, ...].
    links = models.JSONField(default=list, blank=True, encoder=DjangoJSONEncoder)
    # When the record was merged into another rather than deleted: {"into": id,
    # "fields": {name: [survivor's before, after]}, "moved": [links as above]}.
    merge = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)

    objects = TrashedRecordQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "record_type", "record_id"], name="trash_one_per_record"
            )
        ]
        indexes = [
            models.Index(fields=["account", "-deleted_at", "-id"], name="trash_newest"),
            models.Index(fields=["account", "deleted_at"], name="trash_age"),
        ]

    def __str__(self):
        return f"{self.record_type} {self.record_id}: {self.title}"

    @property
    def purge_at(self) -> datetime.datetime:
        return self.deleted_at + RETENTION
