"""Contacts: the people an account sells to."""

from django.db import models
from django.db.models import Q

from accounts.models import Tag
from accounts.tags import TaggedQuerySet
from accounts.tenancy import AccountOwned
from contacts.matching_keys import contact_name_key, email_domain
from contacts.phones import StoredPhoneNumberField
from contacts.search import CONTACT_SEARCH, PICKER_KEYS, SEARCH_VECTOR
from events.loaded_values import KeepsLoadedValues
from lib.custom_fields import validate_custom_fields
from lib.derived_fields import DerivedFields, DerivedFieldsQuerySet
from lib.json_indexes import CustomFieldsIndex
from lib.links import owner_link
from lib.search import PrefixIndex, SearchIndex


def normalise_email(email: str | None) -> str:
    """An email as stored: trimmed and lower-cased, so uniqueness ignores case."""
    return (email or "").strip().lower()


class ContactQuerySet(DerivedFieldsQuerySet, TaggedQuerySet):
    def search(self, text: str):
        """Contacts whose names or email match every word of `text` as a prefix."""
        return CONTACT_SEARCH.filter(self, text)

    def with_emails(self, emails):
        """Contacts whose email is one of `emails` (stored lower-case, non-empty).

        Also says `email <> ''`: the unique index on (account, email) is partial, and
        PostgreSQL cannot tell that a list of over 100 emails excludes '' on its own,
        so a 1,000-email import check scanned the whole table (110 ms, now 7 ms)."""
        return self.exclude(email="").filter(email__in=list(emails))

    def owned_by(self, user_id: int):
        return self.filter(owner_id=user_id)


class Contact(KeepsLoadedValues, DerivedFields, AccountOwned):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True, default="")
    email = models.EmailField(max_length=254, blank=True, default="")
    phone = StoredPhoneNumberField(blank=True, default="")
    title = models.CharField(max_length=200, blank=True, default="")
    company = models.ForeignKey(
        "companies.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contacts",
        db_index=False,
    )
    owner = owner_link()
    custom_fields = models.JSONField(default=dict, blank=True, validators=[validate_custom_fields])
    tags = models.ManyToManyField(Tag, through="ContactTag", related_name="contacts", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept in step with the fields they come from on every write (lib/derived_fields.py),
    # for finding duplicates through an index (contacts/duplicates.py).
    name_key = models.CharField(
        max_length=201, blank=True, default="", db_default="", editable=False
    )
    email_domain = models.CharField(
        max_length=254, blank=True, default="", db_default="", editable=False
    )

    derived_fields = {"name_key": ("first_name", "last_name"), "email_domain": ("email",)}

    objects = ContactQuerySet.as_manager()
    row_counted = True  # lists read count() from accounts.RowCount
    custom_values_indexed = True  # counts by a value read accounts.CustomValue

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "email"],
                condition=~Q(email=""),
                name="contact_unique_email",
                violation_error_message="A contact with this email already exists.",
                violation_error_code="unique_email",
            ),
        ]
        indexes = [
            models.Index(
                fields=["account", "last_name", "first_name", "id"], name="contact_by_name"
            ),
            models.Index(fields=["account", "created_at"], name="contact_by_created"),
            models.Index(fields=["account", "updated_at"], name="contact_by_updated"),
            models.Index(fields=["account", "owner"], name="contact_by_owner"),
            models.Index(fields=["account", "company"], name="contact_by_company"),
            # Duplicates: one record's look-alikes, and the account-wide scan.
            models.Index(
                fields=["account", "name_key"],
                condition=~Q(name_key=""),
                name="contact_by_name_key",
            ),
            models.Index(
                fields=["account", "phone"], condition=~Q(phone=""), name="contact_by_phone"
            ),
            # PostgreSQL only (see contacts/search.py); needs the btree_gin extension.
            SearchIndex(models.F("account"), SEARCH_VECTOR, name="contact_search"),
            # The picker's keystrokes (contacts/search.py PICKER_KEYS), PostgreSQL only.
            *(
                PrefixIndex(models.F("account"), key, name=f"contact_{alias}")
                for alias, (key, _fold) in PICKER_KEYS.items()
            ),
            # cf_<key>= filters (customfields/filtering.py): PostgreSQL only.
            CustomFieldsIndex(name="contact_custom_fields"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def clean(self):
        super().clean()
        # Before the (account, email) constraint is checked: it compares stored text.
        self.email = normalise_email(self.email)

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    def derive_fields(self) -> None:
        self.name_key = contact_name_key(self.first_name, self.last_name)[:201]
        self.email_domain = email_domain(self.email)[:254]


class ContactTag(AccountOwned):
    """A tag on a contact (the link row carries the account, like every CRM row)."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="tag_links", db_index=False
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="contact_links", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "contact", "tag"], name="contacttag_unique"),
        ]
        indexes = [models.Index(fields=["account", "tag"], name="contacttag_by_tag")]

    def __str__(self):
        return f"{self.tag} on {self.contact}"


from contacts.models_duplicates import ContactDuplicate  # noqa: E402,F401  (re-exported)
from contacts.models_import import ContactImport, ContactImportRecord  # noqa: E402,F401  (re-exported)
