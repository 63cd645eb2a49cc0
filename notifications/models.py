"""A user's notifications in one account (an assignment, a reminder), and each user's
notification preferences."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.tenancy import AccountOwned, AccountScopedQuerySet
from activities.models import REMIND_BEFORE_MAX


class NotificationQuerySet(AccountScopedQuerySet):
    def of_user(self, user) -> "NotificationQuerySet":
        """One user's notifications, newest first (index `notification_inbox`)."""
        return self.filter(user=user).order_by("-id")

    def unread(self) -> "NotificationQuerySet":
        """Not read yet (index `notification_unread`)."""
        return self.filter(read_at__isnull=True)

    def email_pending(self) -> "NotificationQuerySet":
        """Not yet emailed, nor skipped (index `notification_email_outbox`)."""
        return self.filter(email_pending=True)


class Notification(AccountOwned):
    """Something a user should know about a record, shown until they read it.

    `record_type` and `record_id` name the record as events do (`{"type": "deal",
    "id": 7}`), without a foreign key: the record may be deleted and restored while
    the notification stays. A reminder carries the `due_at` it was sent for, so that
    each due time of an activity is reminded once (`notification_reminder_once`).
    """

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", "Assigned to you"
        REMINDER = "reminder", "Reminder"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # indexes lead with account (Meta)
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    record_type = models.CharField(max_length=20)
    record_id = models.BigIntegerField()
    title = models.CharField(max_length=200)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # shown, never searched by
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)  # a reminder's: what it was for
    # The mail outbox: True until the notifications job has emailed it (or found the
    # user wants no email); written in the transaction that creates the notification.
    email_pending = models.BooleanField(default=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "record_id", "due_at"],
                condition=Q(kind="reminder"),
                name="notification_reminder_once",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "user", "-id"], name="notification_inbox"),
            models.Index(
                fields=["account", "user", "id"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["account", "id"],
                condition=Q(email_pending=True),
                name="notification_email_outbox",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreferences(models.Model):
    """One user's choices, the same in every account they belong to. A user without a
    row has the defaults (`for_user`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preferences",
    )
    default_remind_before_minutes = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(REMIND_BEFORE_MAX)],
        help_text="The reminder new activities start with; empty for none.",
    )
    email_enabled = models.BooleanField(
        default=True, help_text="Also send each notification by email."
    )

    class Meta:
        verbose_name_plural = "notification preferences"

    def __str__(self):
        return f"Notification preferences of {self.user}"

    @classmethod
    def for_user(cls, user) -> "NotificationPreferences":
        """The user's preferences, the defaults (unsaved) when they never set any. One
        query."""
        return cls.objects.filter(user=user).first() or cls(user=user)
