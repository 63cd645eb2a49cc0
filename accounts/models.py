"""Users, accounts (tenants), memberships and per-account tags."""

import zoneinfo

import phonenumbers
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as AuthUserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, router, transaction
from djmoney.models.fields import CurrencyField
from djmoney.settings import CURRENCY_CHOICES
from rest_framework.authtoken.models import Token

from accounts.tenancy import AccountOwned, AccountScopedQuerySet

CURRENCY_CODES = frozenset(code for code, _name in CURRENCY_CHOICES)


def validate_currency(value: str) -> None:
    if value not in CURRENCY_CODES:
        raise ValidationError(f"“{value}” is not an ISO 4217 currency code.")


def validate_phone_region(value: str) -> None:
    if value not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(f"“{value}” is not a phone region (ISO 3166 code such as US).")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone (such as Europe/Paris).")


# A user, seen through their membership of an account, who acts for it: the membership
# is active and so is the user (`User.is_active`, which a superuser turns off site-wide).
ACTIVE_MEMBER = models.Q(memberships__is_active=True, is_active=True)


def _is(condition: models.Q) -> models.ExpressionWrapper:
    return models.ExpressionWrapper(condition, output_field=models.BooleanField())


class UserQuerySet(models.QuerySet):
    def members_of(self, account):
        """Every member of `account` (an Account or its id), deactivated ones too, by
        name: who may own the account's records, so lists filter by them and records
        show them. Choices for a new assignment come from `assignable_to`. Lazy."""
        return self.filter(memberships__account=account).order_by(
            "first_name", "last_name", "username"
        )

    def assignable_to(self, account, *, keep=None):
        """The users a record of `account` may be assigned to: its active members (a
        deactivated member keeps what they own but gets nothing new, as in HubSpot
        or Pipedrive), plus `keep`, the user id the record already has, so an edit
        that leaves the owner as it is still saves. Each row carries
        `assignable` (False only for a kept deactivated member), by name. Lazy.

        Active as `Membership.objects.active()` means it: the membership and the user
        (a user a superuser disabled site-wide cannot sign in to act on anything)."""
        active = ACTIVE_MEMBER
        if keep is not None:
            active |= models.Q(pk=keep)
        # One filter() call: the account and the active flag are the same membership.
        return (
            self.filter(models.Q(memberships__account=account) & active)
            .annotate(assignable=_is(ACTIVE_MEMBER))
            .order_by("first_name", "last_name", "username")
        )

    def with_assignable(self, account):
        """`members_of(account)`, each row with `assignable` (an active member, as in
        `assignable_to`): for a face that names a deactivated member as such. Lazy."""
        return self.members_of(account).annotate(assignable=_is(ACTIVE_MEMBER))


class UserManager(AuthUserManager.from_queryset(UserQuerySet)):
    """Django's user manager, with the queryset's `members_of(account)` and
    `assignable_to(account)`."""


class User(AbstractUser):
    """A person who signs in. Belongs to accounts through memberships."""

    objects = UserManager()

    class Meta:
        db_table = "accounts_user"

    def save(self, *args, **kwargs):
        """Saves the user; a new password (set_password() since the last save, by any
        path: the web app, the admin, changepassword) also revokes the user's API token,
        in the same transaction, so whoever held the old password loses API access."""
        if self._password is None or self._state.adding:
            super().save(*args, **kwargs)
            return
        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(User)):
            super().save(*args, **kwargs)
            self.revoke_api_tokens()

    def revoke_api_tokens(self) -> None:
        """Deletes the user's API token; the next sign-in at the token endpoint makes a
        new one. One query."""
        Token.objects.filter(user=self).delete()

    def default_membership(self):
        """The membership used when a request does not name an account. One query."""
        return (
            self.memberships.active().select_related("account").order_by("created_at", "id").first()
        )


class Account(models.Model):
    """A tenant: a company using Relay CRM. Every CRM row belongs to one."""

    name = models.CharField(max_length=200)
    currency = CurrencyField(
        default="USD", choices=CURRENCY_CHOICES, validators=[validate_currency]
    )
    phone_region = models.CharField(max_length=2, default="US", validators=[validate_phone_region])
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class MembershipQuerySet(models.QuerySet):
    def for_account(self, account) -> "MembershipQuerySet":
        """The memberships of `account` (an Account or its id). Refuses None, like
        the CRM models' `for_account`, so the web app's view mixin scopes them too."""
        if account is None:
            raise ValueError("An account is required to scope memberships (got None).")
        return self.filter(account_id=account.pk if isinstance(account, Account) else account)

    def active(self) -> "MembershipQuerySet":
        """Memberships that may act for their account: neither the membership is
        deactivated nor its user (`User.is_active`, off site-wide: such a user cannot
        sign in, so they must not count as an owner the account still has, be given
        records, or be notified)."""
        return self.filter(is_active=True, user__is_active=True)

    def owners(self) -> "MembershipQuerySet":
        """Active owners: the ones an account must never run out of."""
        return self.active().filter(role=Membership.Role.OWNER)


class Membership(models.Model):
    """A user's role in an account. A deactivated membership keeps its row (and the
    user keeps the records they own) but no longer acts for the account anywhere:
    accounts/memberships.py, the one place that resolves memberships, skips it."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        ADMIN = "admin", "Admin"
        MEMBER = "member", "Member"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="A deactivated member can no longer act in this account (web, API, admin).",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "user"], name="membership_unique_user"),
        ]
        indexes = [models.Index(fields=["user", "created_at"], name="membership_by_user")]

    def __str__(self):
        return f"{self.user} in {self.account} ({self.role})"

    @property
    def can_manage_account(self) -> bool:
        return self.is_active and self.role in {self.Role.OWNER, self.Role.ADMIN}

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER

    def may_change_member(self, other: "Membership", role: str | None = None) -> bool:
        """Whether this (acting) membership may change `other`'s membership, and give
        it `role` if named: owners and admins manage members, but only an owner may
        touch an owner or make one (an admin could otherwise take the account)."""
        if not self.can_manage_account:
            return False
        if self.is_owner:
            return True
        return not other.is_owner and role != self.Role.OWNER


color_validator = RegexValidator(r"^#[0-9a-fA-F]{6}\Z", "Enter a colour as #rrggbb.")


def tag_key(name: str) -> str:
    """What makes two tag names the same: trimmed and case-folded (in Python, so
    PostgreSQL and SQLite agree whatever their locale)."""
    return name.strip().casefold()


class TagQuerySet(AccountScopedQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Like save(), fills `name_key`, which uniqueness depends on."""
        objs = list(objs)
        for tag in objs:
            tag.name = tag.name.strip()
            tag.name_key = tag_key(tag.name)
        return super().bulk_create(objs, *args, **kwargs)


class Tag(AccountOwned):
    """A label shared by an account's contacts and companies. Unique per account,
    whatever its case."""

    name = models.CharField(max_length=50)
    name_key = models.CharField(max_length=150, editable=False)
    color = models.CharField(max_length=7, blank=True, default="", validators=[color_validator])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TagQuerySet.as_manager()

    class Meta:
        ordering = ["name_key", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "name_key"],
                name="tag_unique_name",
                violation_error_message="A tag with this name already exists.",
                violation_error_code="unique_name",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        self.name = self.name.strip()
        self.name_key = tag_key(self.name)
        if self.account_id is not None:
            clash = Tag.objects.for_account(self.account_id).filter(name_key=self.name_key)
            if clash.exclude(pk=self.pk).exists():
                raise ValidationError({"name": "A tag with this name already exists."})

    def save(self, *args, **kwargs):
        self.name = self.name.strip()
        self.name_key = tag_key(self.name)
        super().save(*args, **kwargs)


class RowCount(AccountOwned):
    """How many rows of a counted table an account holds; kept by database triggers
    (accounts/row_counts.py), read by unfiltered lists instead of COUNT(*)."""

    table_name = models.CharField(max_length=63)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "table_name"], name="rowcount_unique"),
        ]

    def __str__(self):
        return f"{self.table_name}: {self.n}"


class CustomValue(AccountOwned):
    """One top-level value of a record's `custom_fields` (a number, a boolean, or a
    short string), kept by database triggers (accounts/custom_values.py) so that the
    exact count of the records holding one value is an index-only scan of
    `customvalue_unique` rather than a visit of every matching row."""

    table_name = models.CharField(max_length=63)
    record_id = models.BigIntegerField()
    key = models.TextField()
    value = models.JSONField()

    class Meta:
        constraints = [
            # Leads with what a count asks; record_id last makes it unique per record.
            models.UniqueConstraint(
                fields=["account", "table_name", "key", "value", "record_id"],
                name="customvalue_unique",
            ),
        ]

    def __str__(self):
        return f"{self.table_name} {self.record_id}: {self.key}={self.value!r}"


class IdempotencyKey(AccountOwned):
    """A POST's `Idempotency-Key` and, once the POST is answered, its answer, which a
    repeat of the same request within a day gets again (accounts/idempotency.py).

    The unique constraint is what decides between two requests racing with one key:
    the one whose row lands first runs, the other sees it in flight or answered."""

    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: one key names one request.
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    completed = models.BooleanField(default=False)
    status = models.PositiveSmallIntegerField(null=True)
    content = models.BinaryField(default=b"")
    headers = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="idempotency_key_unique"),
        ]

    def __str__(self):
        return f"{self.key} ({self.status or 'in flight'})"
