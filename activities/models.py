"""Activities: calls, meetings and tasks, with a status machine and due dates."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.errors import StateConflict
from accounts.links import link_to, owner_link
from accounts.tenancy import AccountOwned, AccountScopedQuerySet


class InvalidTransition(StateConflict):
    """The activity's status forbids this action (the API answers 409)."""


class ActivityQuerySet(AccountScopedQuerySet):
    def pending(self):
        """Not done yet: pending or in progress."""
        return self.filter(status__in=Activity.ACTIVE)

    def overdue(self, now=None):
        """Not done, and due before `now`."""
        return self.pending().filter(due_at__lt=now or timezone.now())

    def not_overdue(self, now=None):
        return self.exclude(status__in=Activity.ACTIVE, due_at__lt=now or timezone.now())


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

    type = models.CharField(max_length=10, choices=Type.choices, default=Type.TASK)
    subject = models.CharField(max_length=200)
    description = models.TextField(max_length=10_000, blank=True, default="")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
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
                condition=Q(status="completed", completed_at__isnull=False)
                | (~Q(status="completed") & Q(completed_at__isnull=True)),
                name="activity_completed_at_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "status", "due_at"], name="activity_by_due"),
            models.Index(fields=["account", "owner", "status", "due_at"],
                         name="activity_by_owner"),
            models.Index(fields=["account", "contact"], name="activity_by_contact"),
            models.Index(fields=["account", "company"], name="activity_by_company"),
            models.Index(fields=["account", "deal"], name="activity_by_deal"),
            models.Index(fields=["account", "created_at"], name="activity_by_created"),
            models.Index(fields=["account", "completed_at"], name="activity_by_completed"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_overdue(self) -> bool:
        """Not completed or cancelled, and due in the past."""
        return (
            self.status in self.ACTIVE
            and self.due_at is not None
            and self.due_at < timezone.now()
        )

    @property
    def timeline_at(self):
        return self.completed_at or self.due_at or self.created_at

    # -- the status machine: the only ways status and completed_at change ---------

    def _move(self, allowed, status, action):
        if self.status not in allowed:
            raise InvalidTransition(f"Cannot {action} an activity that is {self.status}.")
        self.status = status
        self.completed_at = timezone.now() if status == self.Status.COMPLETED else None
        self.save(update_fields=["status", "completed_at", "updated_at"])

    def start(self) -> None:
        self._move((self.Status.PENDING,), self.Status.IN_PROGRESS, "start")

    def complete(self) -> None:
        self._move(self.ACTIVE, self.Status.COMPLETED, "complete")

    def cancel(self) -> None:
        self._move(self.ACTIVE, self.Status.CANCELLED, "cancel")
