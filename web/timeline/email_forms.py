"""The timeline's "Log an email" form: an `.eml` file dropped or chosen, a message's
source pasted, or the email's details typed (notes/email_messages.py reads the first
two; notes/services.py `note_log_email` logs all three).

Direction: an email read from a message is outgoing when its From is the user's own
address, else incoming; a typed one says so itself.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from events.models import Source
from notes.email_messages import (
    MAX_BODY_CHARS,
    MAX_MESSAGE_BYTES,
    LoggedEmail,
    MalformedMessage,
    parse_message,
    read_addresses,
    text_body,
)
from notes.models import Note
from notes.services import note_log_email
from web.form_fields import AccountDateTimeField
from web.upload_limits import megabytes, upload_limit

# A pasted source travels as a form field, which Django caps at
# DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB by default); larger messages come as files.
MAX_PASTED_CHARS = 2_000_000


def message_limit() -> int:
    """The largest message file the form accepts (the page states it)."""
    return upload_limit(MAX_MESSAGE_BYTES)


class EmailForm(forms.Form):
    """Log an email on a record's timeline."""

    kind = Note.Kind.EMAIL
    multipart = True  # the template sends it as multipart/form-data

    message_file = forms.FileField(
        label="Email file (.eml)",
        required=False,
        widget=forms.FileInput(attrs={"accept": ".eml,message/rfc822"}),
        error_messages={"empty": "The file is empty. Save the email as an .eml file again."},
    )
    raw_message = forms.CharField(
        label="Or paste the message's source",
        required=False,
        strip=False,
        max_length=MAX_PASTED_CHARS,
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "spellcheck": "false",
                "placeholder": "From: Ann Lee <ann@example.com>\nSubject: …",
            }
        ),
    )
    direction = forms.ChoiceField(
        label="Direction",
        choices=[(Note.Direction.OUTBOUND, "Sent"), (Note.Direction.INBOUND, "Received")],
        initial=Note.Direction.OUTBOUND,
        widget=forms.RadioSelect,
        required=False,
    )
    subject = forms.CharField(label="Subject", max_length=300, required=False)
    occurred_at = AccountDateTimeField(label="Date", required=False, help_text="Empty: now.")
    from_address = forms.CharField(
        label="From",
        max_length=400,
        required=False,
        help_text="Empty: you, for a sent email.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    to_addresses = forms.CharField(
        label="To",
        max_length=4_000,
        required=False,
        help_text="Addresses separated by commas.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label="Message",
        max_length=9_000,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, account, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.account, self.user = account, user
        self.fields["occurred_at"].zone = account.zone
        self.max_file_bytes = message_limit()
        self.max_file_size = megabytes(self.max_file_bytes)
        self.fields["message_file"].help_text = (
            f"Drop it here or choose it: up to {self.max_file_size}. Subject, date, "
            "sender, recipients and text are read from it; attachments are listed by "
            "name and size, not stored."
        )
        self.email = None

    def clean_message_file(self):
        upload = self.cleaned_data.get("message_file")
        if upload and upload.size > self.max_file_bytes:
            raise ValidationError(
                f"The file is {megabytes(upload.size)}; the limit is {self.max_file_size}."
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        upload, pasted = cleaned.get("message_file"), cleaned.get("raw_message") or ""
        if upload and pasted.strip():
            raise ValidationError("Drop a file or paste a message, not both.")
        if upload or pasted.strip():
            raw = upload.read() if upload else pasted.encode("utf-8", errors="replace")
            field = "message_file" if upload else "raw_message"
            try:
                self.email = parse_message(raw)
            except MalformedMessage as exc:
                self.add_error(field, str(exc))
                return cleaned
            own = self.email.is_from(self.user.email)
            cleaned["direction"] = Note.Direction.OUTBOUND if own else Note.Direction.INBOUND
            return cleaned
        self.email = self._typed(cleaned)
        return cleaned

    def _typed(self, cleaned) -> LoggedEmail | None:
        """The email from the typed fields, or None with the fields' errors added."""
        text = cleaned.get("body") or ""
        if not text.strip():
            self.add_error("body", "Write the message, or drop the email's file above.")
        direction = cleaned.get("direction") or Note.Direction.OUTBOUND
        cleaned["direction"] = direction
        sender = self._addresses("from_address", limit=1)
        if not cleaned.get("from_address", "").strip() and direction == Note.Direction.OUTBOUND:
            sender = [self.user.email] if self.user.email else []
        recipients = self._addresses("to_addresses")
        if self.errors:
            return None
        return LoggedEmail(
            subject=" ".join(cleaned.get("subject", "").split()),
            body=text_body(text, limit=MAX_BODY_CHARS),
            sender=sender[0] if sender else "",
            to=recipients,
            sent_at=cleaned.get("occurred_at") or timezone.now(),
        )

    def _addresses(self, name: str, *, limit: int | None = None) -> list[str]:
        typed = self.cleaned_data.get(name, "")
        found = [display for display, _address in read_addresses(typed)]
        if typed.strip() and not found:
            self.add_error(name, "Enter email addresses such as ann@example.com.")
        elif limit is not None and len(found) > limit:
            self.add_error(name, "Enter one address.")
        return found

    def create(self, link: dict) -> Note:
        """The email, through the notes' write path (`note.created`), on the record
        `link` names (`{"deal_id": 7}`)."""
        return note_log_email(
            account=self.account,
            by=self.user,
            source=Source.UI,
            email=self.email,
            direction=self.cleaned_data["direction"],
            link=link,
        )
