"""Form building blocks of the staff UI, shared by every area.

Every form that writes a CRM row takes the request's `account`: its related fields
choose only among that account's rows (another account's id is "not one of the
available choices", never a leak), phone numbers are read in the account's region,
and date-times typed without an offset are read in the account's time zone.
The timeline's inline forms (log a call, add a note, add a task) live here too,
since the company and deal pages share them.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks

from accounts.models import User
from accounts.tags import normalise_tag_names, validate_tag_name
from activities.models import Activity
from activities.services import activity_create
from contacts.phones import INVALID_PHONE_MESSAGE, InvalidPhoneNumber, parse_phone
from events.models import Source
from lib.calendar_range import MESSAGE as CALENDAR_RANGE_MESSAGE
from lib.calendar_range import validate_calendar_range
from notes.models import Note
from notes.sanitize import sanitize_body
from notes.services import note_create
from web.formatting import local_time

MAX_TAGS = 100


def members_of(account):
    """The users a record of `account` may be assigned to (its members)."""
    return User.objects.filter(memberships__account=account).order_by(
        "first_name", "last_name", "username"
    )


class MemberChoiceField(forms.ModelChoiceField):
    """A member of the account, shown by name."""

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class PhoneField(forms.CharField):
    """Any common notation in, E.164 out, read in the account's region: the same
    parser as the API's `contacts.api.fields.PhoneField` (`contacts.phones.parse_phone`)."""

    default_error_messages = {"invalid_phone": INVALID_PHONE_MESSAGE}

    def __init__(self, *, region=None, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
        super().__init__(**kwargs)
        self.region = region

    def prepare_value(self, value):
        # A stored PhoneNumber shows in the international format people read.
        if hasattr(value, "as_international") and getattr(value, "is_valid", lambda: False)():
            return value.as_international
        return value

    def clean(self, value):
        try:
            return parse_phone(super().clean(value), self.region)
        except InvalidPhoneNumber:
            raise ValidationError(
                self.error_messages["invalid_phone"], code="invalid_phone"
            ) from None


class TagNamesField(forms.CharField):
    """Tag names typed as "vip, partner"; cleaned to a de-duplicated list."""

    default_error_messages = {
        "invalid_name": "Each tag is 1-50 characters of printable text.",
        "too_many": f"At most {MAX_TAGS} tags.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 6000)
        kwargs.setdefault("help_text", "Separate tags with commas.")
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(str(name) for name in value)
        return value

    def clean(self, value):
        text = super().clean(value) or ""
        names = [name for name in text.split(",") if name.strip()]
        for name in names:
            try:
                validate_tag_name(name)
            except ValidationError:
                raise ValidationError(
                    self.error_messages["invalid_name"], code="invalid_name"
                ) from None
        names = normalise_tag_names(names)
        if len(names) > MAX_TAGS:
            raise ValidationError(self.error_messages["too_many"], code="too_many")
        return names


class AccountDateTimeField(forms.DateTimeField):
    """A `datetime-local` input read and shown in the account's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_validators = [validate_calendar_range]

    def __init__(self, *, zone=None, **kwargs):
        super().__init__(**kwargs)
        self.zone = zone or datetime.UTC

    def prepare_value(self, value):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            return local_time(value, self.zone).replace(tzinfo=None)
        return value

    def to_python(self, value):
        # Parse as naive text first, then attach the account's zone (not the server's).
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            result = value
        else:
            result = forms.DateTimeField.to_python(self, str(value).strip().replace("T", " "))
            result = result.replace(tzinfo=None) if result else result
        if result is None:
            return None
        if result.tzinfo is None:
            try:
                result = result.replace(tzinfo=self.zone).astimezone(datetime.UTC)
            except OverflowError:
                raise ValidationError(CALENDAR_RANGE_MESSAGE, code="calendar_range") from None
        return result


def note_body_from_text(text: str) -> str:
    """Plain text typed in a textarea → the note's HTML (paragraphs and line breaks)."""
    return linebreaks(escape(text.strip()))


class _NoteBodyMixin:
    # What a logged note or call carries into the notes' write path.
    NOTE_FIELDS = ("body", "kind", "direction", "author_id", "contact_id", "company_id", "deal_id")

    def create(self, link: dict) -> Note:
        """The note linked by `link` (`{"deal_id": 7}`), through the notes' write path
        (recorded as `note.created`)."""
        note = self.build(link)
        return note_create(
            account=self.account,
            by=self.user,
            source=Source.UI,
            data={name: getattr(note, name) for name in self.NOTE_FIELDS},
        )

    def clean_body(self):
        text = self.cleaned_data["body"]
        if not text.strip():
            raise ValidationError("Write something first.")
        body = note_body_from_text(text)
        if len(body) > 10_000 or not sanitize_body(body).strip():
            raise ValidationError("The note is too long (at most 10,000 characters).")
        return body


class NoteForm(_NoteBodyMixin, forms.Form):
    """Add a note to a timeline."""

    body = forms.CharField(
        label="Note",
        max_length=9_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What happened? What's next?"}),
    )

    def __init__(self, *args, account, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.account, self.user = account, user

    def build(self, link: dict) -> Note:
        return Note(
            account=self.account,
            author=self.user,
            kind=Note.Kind.NOTE,
            body=self.cleaned_data["body"],
            **link,
        )


class CallForm(_NoteBodyMixin, forms.Form):
    """Log a call: a note of kind "call" with its direction."""

    direction = forms.ChoiceField(
        label="Direction",
        choices=Note.Direction.choices,
        initial=Note.Direction.OUTBOUND,
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label="Call summary",
        max_length=9_000,
        strip=False,
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "Who did you speak to, and what was agreed?"}
        ),
    )

    def __init__(self, *args, account, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.account, self.user = account, user

    def build(self, link: dict) -> Note:
        return Note(
            account=self.account,
            author=self.user,
            kind=Note.Kind.CALL,
            direction=self.cleaned_data["direction"],
            body=self.cleaned_data["body"],
            **link,
        )


class TaskForm(forms.Form):
    """Add a task (an activity of type "task") with an optional due date."""

    subject = forms.CharField(
        label="Task",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Send the proposal"}),
    )
    due_at = AccountDateTimeField(label="Due", required=False)
    owner = MemberChoiceField(
        label="Assigned to", queryset=User.objects.none(), required=False, empty_label="Nobody"
    )

    def __init__(self, *args, account, user, **kwargs):
        kwargs.setdefault("initial", {"owner": user.pk})
        super().__init__(*args, **kwargs)
        self.account, self.user = account, user
        self.fields["due_at"].zone = account.zone
        self.fields["owner"].queryset = members_of(account)

    def clean_subject(self):
        subject = self.cleaned_data["subject"].strip()
        if not subject:
            raise ValidationError("Name the task.")
        return subject

    def create(self, link: dict) -> Activity:
        """The task, through the activities' write path (`link`: `{"deal_id": 7}`)."""
        return activity_create(
            account=self.account,
            by=self.user,
            source=Source.UI,
            data={
                "type": Activity.Type.TASK,
                "subject": self.cleaned_data["subject"],
                "due_at": self.cleaned_data["due_at"],
                "owner": self.cleaned_data["owner"],
                **link,
            },
        )


LOG_FORMS = {"note": NoteForm, "call": CallForm, "task": TaskForm}
