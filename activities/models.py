"""Activities: calls, meetings and tasks, with a status machine and due dates."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThanOrEqual, LessThan
from django.utils import timezone

from accounts.tenancy import AccountOwned, AccountScopedQuerySet
from lib.calendar_range import validate_calendar_range
from lib.errors import StateConflict
from lib.links import link_to, owner_link


class InvalidTransition(StateConflict):
    """The activity's status forbids this action (the API answers 409)."""


# An open activity without a due date comes after every dated one ("some day"). The
# open-activity filters and orders below read the due date through `due_or_someday()`,
# so "upcoming, undated included" is one range of the open indexes: spelled
# `due_at >= x OR due_at IS NULL` it would read every open row of the owner.
SOMEDAY = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)
# Activity.ACTIVE and Activity.DONE, for the indexes' conditions (Meta cannot see the
# class's attributes; tests/test_web_agenda.py checks they match).
OPEN_ONLY = Q(status__in=["pending", "in_progress"])
DONE_ONLY = Q(status__in=["completed", "cancelled"])
# A reminder waits to be sent: its activity is open, has an owner to remind, and its
# `remind_at` is set (the reminder job clears it once sent; notifications/reminders.py).
REMINDER_ARMED = OPEN_ONLY & Q(remind_at__isnull=False, owner__isnull=False)
# The contract's range of `remind_before_minutes`: up to four weeks.
REMIND_BEFORE_MAX = 40_320


def due_or_someday():
    """The due date, SOMEDAY when there is none."""
    return Coalesce("due_at", Value(SOMEDAY, output_field=models.DateTimeField()))


def done_at():
    """When a done activity was finished; a cancelled one has no completed_at and counts
    from its last change."""
    return Coalesce("completed_at", "updated_at")


class ActivityQuerySet(AccountScopedQuerySet):
    # The open and done filters and orders below say what the partial indexes in
    # Activity.Meta say (`status IN (...)`, `due_or_someday()`): PostgreSQL uses a
    # partial or expression index only when the query spells it the same way.

    def pending(self):
        """Not done yet: pending or in progress."""
        return self.filter(status__in=Activity.ACTIVE)

    def done(self):
        """Completed or cancelled."""
        return self.filter(status__in=Activity.DONE)

    def overdue(self, now=None):
        """Not done, and due before `now`."""
        return self.pending().filter(LessThan(due_or_someday(), now or timezone.now()))

    def not_overdue(self, now=None):
        return self.exclude(status__in=Activity.ACTIVE, due_at__lt=now or timezone.now())

    def due_between(self, start, end):
        """Not done, and due in [start, end)."""
        return self.pending().filter(
            GreaterThanOrEqual(due_or_someday(), start), LessThan(due_or_someday(), end)
        )

    def due_from(self, start):
        """Not done, and due at `start` or later, or undated."""
        return self.pending().filter(GreaterThanOrEqual(due_or_someday(), start))

    def reminder_due(self, now=None):
        """Open, owned activities whose reminder is armed and whose reminder time
        (`due_at - remind_before_minutes`) is `now` or earlier (index
        `activity_reminder_armed`, which holds only armed reminders)."""
        return self.filter(REMINDER_ARMED, remind_at__lte=now or timezone.now())

    def by_due_date(self):
        """Soonest first, undated last."""
        return self.order_by(due_or_someday().asc(), "id")

    def latest_done_first(self):
        """Most recently finished first (see `done_at`)."""
        return self.order_by(done_at().desc(), "-id")


def count_up_to(**named: tuple[models.QuerySet, int]) -> dict[str, int]:
    """For each name, how many rows its queryset holds, counting no further than its
    limit: a count then reads at most `limit` index entries however long the list is,
    and the caller says "N+" when it reaches the limit. One query for all the names."""
    selects, params, databases = [], [], set()
    for name, (queryset, limit) in named.items():
        queryset._require_scope()  # this bypasses _fetch_all: keep the tenancy boundary
        databases.add(queryset.db)
        rows = queryset.order_by().values(one=Value(1))[:limit]
        try:
            sql, sql_params = rows.query.get_compiler(queryset.db).as_sql()
        except EmptyResultSet:  # .none(): no SQL to run
            sql, sql_params = "SELECT 1 WHERE 1 = 0", ()
        quoted = connections[queryset.db].ops.quote_name(name)
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS up_to) AS {quoted}")
        params.extend(sql_params)
    (database,) = databases
    with connections[database].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return dict(zip(named, cursor.fetchone(), strict=True))


class Activity(AccountOwned):
    class Type(models.TextChoices):
        CALL = "call", "Call"
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"
        TASK = "task", "Task"
        NOTE = "note", "Note"
        SMS = "sms", "SMS"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.PENDING, Status.IN_PROGRESS)
    DONE = (Status.COMPLETED, Status.CANCELLED)

    type = models.CharField(max_length=10, choices=Type.choices, default=Type.TASK)
    subject = models.CharField(max_length=200)
    description = models.TextField(max_length=10_000, blank=True, default="")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField(null=True, blank=True, validators=[validate_calendar_range])
    completed_at = models.DateTimeField(null=True, blank=True)
    remind_before_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(REMIND_BEFORE_MAX)],
        help_text="Minutes before the due time to remind the owner; empty for no reminder.",
    )
    # When the owner's reminder is due, while it waits to be sent: set by the services
    # from due_at and remind_before_minutes, cleared by the reminder job once sent.
    # Not part of the API; kept in a column so that finding due reminders is one range
    # of a small partial index instead of arithmetic over every open activity.
    remind_at = models.DateTimeField(null=True, blank=True, editable=False)
    contact = link_to("contacts.Contact", "activities")
    company = link_to("companies.Company", "activities")
    deal = link_to("deals.Deal", "activities")
    owner = owner_link()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ActivityQuerySet.as_manager()
    row_counted = True  # lists read count() from accounts.RowCount

    class Meta:
        verbose_name_plural = "activities"
        ordering = [models.F("due_at").asc(nulls_last=True), "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(remind_before_minutes__lte=REMIND_BEFORE_MAX),
                name="activity_remind_before_in_range",
            ),
            models.CheckConstraint(
                condition=Q(status="completed", completed_at__isnull=False)
                | (~Q(status="completed") & Q(completed_at__isnull=True)),
                name="activity_completed_at_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "status", "due_at"], name="activity_by_due"),
            models.Index(fields=["account", "owner", "status", "due_at"], name="activity_by_owner"),
            models.Index(fields=["account", "contact"], name="activity_by_contact"),
            models.Index(fields=["account", "company"], name="activity_by_company"),
            models.Index(fields=["account", "deal"], name="activity_by_deal"),
            models.Index(fields=["account", "created_at"], name="activity_by_created"),
            models.Index(fields=["account", "completed_at"], name="activity_by_completed"),
            # Armed reminders only: rows leave it as their reminder is sent, so the
            # reminder job's scan (every account at once) stays as small as the
            # reminders waiting, however many activities there are.
            models.Index(
                fields=["account", "remind_at"],
                condition=REMINDER_ARMED,
                name="activity_reminder_armed",
            ),
            # The agenda's tabs and the dashboard: each list is one range of one of
            # these, in the list's order (id last, so ties on the due date need no
            # sort), and each capped count an index-only range: INCLUDE due_at, or
            # PostgreSQL does not evaluate due_or_someday() from the index, and type,
            # so the agenda's type filter needs no visit to the table either.
            models.Index(
                F("account"),
                F("owner"),
                due_or_someday(),
                F("id"),
                include=["due_at", "type"],
                condition=OPEN_ONLY,
                name="activity_open_by_owner",
            ),
            models.Index(
                F("account"),
                due_or_someday(),
                F("id"),  # everyone's
                include=["due_at", "type"],
                condition=OPEN_ONLY,
                name="activity_open_by_due",
            ),
            models.Index(
                F("account"),
                F("owner"),
                done_at(),
                F("id"),
                include=["type"],
                condition=DONE_ONLY,
                name="activity_done_by_owner",
            ),
            models.Index(
                F("account"),
                done_at(),
                F("id"),  # everyone's
                include=["type"],
                condition=DONE_ONLY,
                name="activity_done_by_time",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_overdue(self) -> bool:
        """Not completed or cancelled, and due in the past."""
        return (
            self.status in self.ACTIVE and self.due_at is not None and self.due_at < timezone.now()
        )

    @staticmethod
    def reminder_time(due_at, remind_before_minutes):
        """When the owner is to be reminded of an activity due at `due_at`; None
        without a due date or a reminder."""
        if due_at is None or remind_before_minutes is None:
            return None
        return due_at - dt.timedelta(minutes=remind_before_minutes)

    @property
    def timeline_at(self):
        return self.completed_at or self.due_at or self.created_at

    # -- the status machine: the only ways status and completed_at change ---------
    # These say what a transition writes and refuse the ones the status forbids; they
    # write nothing. activities/services.py applies them to the locked row and records
    # them.

    # action: (statuses it starts from, status it leads to, the event's action)
    TRANSITIONS = {
        "start": ((Status.PENDING,), Status.IN_PROGRESS, "started"),
        "complete": (ACTIVE, Status.COMPLETED, "completed"),
        "cancel": (ACTIVE, Status.CANCELLED, "cancelled"),
        "reopen": (DONE, Status.PENDING, "reopened"),
    }

    def transition_values(self, action: str, *, now=None) -> dict:
        """The fields `action` (start, complete, cancel, reopen) sets on this activity;
        InvalidTransition when its status forbids it."""
        allowed, status, _event = self.TRANSITIONS[action]
        if self.status not in allowed:
            raise InvalidTransition(f"Cannot {action} an activity that is {self.status}.")
        completing = status == self.Status.COMPLETED
        return {"status": status, "completed_at": (now or timezone.now()) if completing else None}


class CalendarFeed(AccountOwned):
    """A member's secret calendar feed in an account: the URL that serves their
    activities as RFC 5545 (activities/calendar_feeds.py). One per user and account;
    resetting it draws a new `nonce`, so the old URL answers 404.

    The URL's secret is an HMAC of `nonce` under SECRET_KEY and only its SHA-256 is
    stored (`secret_hash`, the feed's lookup): a copy of this table opens no feed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # the unique constraint leads with account
    )
    nonce = models.CharField(max_length=64)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="calendar_feed_unique_user"),
            models.UniqueConstraint(
                fields=["account", "secret_hash"], name="calendar_feed_unique_secret"
            ),
        ]

    def __str__(self):
        return f"Calendar feed of user {self.user_id}"
