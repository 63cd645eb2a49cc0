"""Custom field definitions: which keys of a record's `custom_fields` an account
defines, and what their values must be. Depends on `accounts` only; the record apps
(companies, contacts, deals) import this app, never the reverse."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from accounts.tenancy import AccountOwned

MAX_OPTIONS = 100
MAX_OPTION_LENGTH = 200

key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}\Z",
    "1-40 characters of a-z, 0-9 and _, starting with a letter.",
    code="invalid_key",
)


class CustomFieldDefinition(AccountOwned):
    """One key of the `custom_fields` of an account's contacts, companies or deals:
    its label, its type and, for `select`, its options. Deleting a definition keeps
    the values records store under its key (they become keys without a definition)."""

    class RecordType(models.TextChoices):
        CONTACT = "contact", "Contact"
        COMPANY = "company", "Company"
        DEAL = "deal", "Deal"

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        BOOLEAN = "boolean", "Yes/no"
        DATE = "date", "Date"
        SELECT = "select", "Select"

    record_type = models.CharField(max_length=10, choices=RecordType.choices)
    key = models.CharField(max_length=40, validators=[key_validator])
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=Type.choices)
    options = models.JSONField(default=list, blank=True)
    required = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["record_type", "key", "id"]
        constraints = [
            # Also the index behind `definitions_for(account, record_type)`.
            models.UniqueConstraint(
                fields=["account", "record_type", "key"],
                name="customfield_unique_key",
                violation_error_message="A custom field with this key already exists.",
                violation_error_code="unique_key",
            ),
        ]

    def __str__(self):
        return f"{self.record_type}.{self.key}"

    def clean(self):
        super().clean()
        self.label = (self.label or "").strip() or self.key
        errors = self.options_errors()
        if errors:
            raise ValidationError({"options": errors})

    def options_errors(self) -> list[str]:
        """Why `options` does not fit `type` (empty when it does): 1-100 distinct
        non-empty strings for `select`, none for any other type. No query."""
        options = self.options
        if self.type != self.Type.SELECT:
            return [] if options in (None, []) else ["Only a select field has options."]
        if not isinstance(options, list) or not options:
            return ["A select field needs at least one option."]
        if len(options) > MAX_OPTIONS:
            return [f"At most {MAX_OPTIONS} options."]
        if not all(isinstance(o, str) and o.strip() for o in options):
            return ["Options must be non-empty strings."]
        if any(len(o) > MAX_OPTION_LENGTH or "\x00" in o for o in options):
            return [f"Options must be at most {MAX_OPTION_LENGTH} characters."]
        if len(set(options)) != len(options):
            return ["Options must be distinct."]
        return []
