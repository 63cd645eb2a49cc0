"""The timeline's inline forms: log a call, add a note, log an email
(web/timeline/email_forms.py), add a task (every record page with a timeline shows
them)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import escape, linebreaks

from accounts.models import User
from activities.models import REMIND_BEFORE_MAX, Activity
from activities.new_activity_defaults import new_activity_defaults
from activities.services import activity_create
from events.models import Source
from notes.models import Note
from notes.sanitize import sanitize_body
from notes.services import note_create
from web.account_forms import AccountFormMixin
from web.form_fields import AccountDateTimeField, MemberChoiceField, PickerSelect
from web.timeline.email_forms import EmailForm


def note_body_from_text(text: str) -> str:
    """Plain text typed in a textarea → the note's HTML (paragraphs and line breaks)."""
    return linebreaks(escape(text.strip()))


class _NoteBodyMixin:
    # What a logged note or call carries into the notes' write path.
    NOTE_FIELDS = ("body", "kind", "direction", "author_id", "contact_id", "company_id", "deal_id")
    kind = None  # the Note.Kind the form logs

    def __init__(self, *args, account, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.account, self.user = account, user

    def build(self, link: dict) -> Note:
        """The unsaved note, linked by `link`; a call carries its direction."""
        calls = "direction" in self.fields
        direction = {"direction": self.cleaned_data["direction"]} if calls else {}
        return Note(
            account=self.account,
            author=self.user,
            kind=self.kind,
            body=self.cleaned_data["body"],
            **direction,
            **link,
        )

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

    kind = Note.Kind.NOTE

    body = forms.CharField(
        label="Note",
        max_length=9_000,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What happened? What's next?"}),
    )


class CallForm(_NoteBodyMixin, forms.Form):
    """Log a call: a note of kind "call" with its direction."""

    kind = Note.Kind.CALL

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


class TaskForm(AccountFormMixin, forms.Form):
    """Add an activity (a task unless another type is chosen) with an optional due
    date."""

    type = forms.ChoiceField(
        label="Type", choices=Activity.Type.choices, initial=Activity.Type.TASK, required=False
    )
    subject = forms.CharField(
        label="Task",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Send the proposal"}),
    )
    due_at = AccountDateTimeField(label="Due", required=False)
    remind_before_minutes = forms.IntegerField(
        label="Remind (minutes before)",
        required=False,
        min_value=0,
        max_value=REMIND_BEFORE_MAX,
        help_text="Empty for no reminder.",
    )
    owner = MemberChoiceField(
        label="Assigned to",
        queryset=User.objects.none(),
        required=False,
        empty_label="Nobody",
        widget=PickerSelect(kind="owners"),
    )

    def __init__(self, *args, account, user, **kwargs):
        data = args[0] if args else kwargs.get("data")
        if data is None:  # shown empty: with the user's defaults
            # The creator's default reminder (one query).
            kwargs.setdefault("initial", {"owner": user.pk, **new_activity_defaults(user=user)})
        super().__init__(*args, account=account, **kwargs)
        self.user = user
        self.fields["due_at"].zone = account.zone

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
                "type": self.cleaned_data["type"] or Activity.Type.TASK,
                "subject": self.cleaned_data["subject"],
                "due_at": self.cleaned_data["due_at"],
                "remind_before_minutes": self.cleaned_data["remind_before_minutes"],
                "owner": self.cleaned_data["owner"],
                **link,
            },
        )


LOG_FORMS = {"note": NoteForm, "call": CallForm, "email": EmailForm, "task": TaskForm}
