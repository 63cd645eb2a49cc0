"""The activity forms: one activity of any type (its page and "New activity"), logging
what happened with an optional follow-up, and rescheduling from a list.

Every due-date field is an `AccountDateTimeField` (read in the account's time zone)
and offers the date shortcuts (lib/due_shortcuts.py, `{% due_shortcuts field %}`).
"""

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from activities.models import Activity
from companies.models import Company
from contacts.models import Contact
from deals.models import Deal
from lib.calendar_range import validate_calendar_range
from lib.due_shortcuts import SHORTCUTS, shortcut_day
from web.account_forms import AccountFormMixin, AccountModelForm
from web.deals.forms import ContactChoiceField
from web.form_fields import AccountDateTimeField, MemberChoiceField, PickerSelect
from web.form_versions import VersionedFormMixin
from web.opened_values import OpenedValuesMixin

# What "Log a call" and "Log a meeting" record.
LOGGED_TYPES = [(Activity.Type.CALL, "Call"), (Activity.Type.MEETING, "Meeting")]
LINKS = ("contact", "company", "deal")


def clean_subject_text(value: str, message: str) -> str:
    subject = (value or "").strip()
    if not subject:
        raise ValidationError(message)
    return subject


class ActivityForm(VersionedFormMixin, OpenedValuesMixin, AccountModelForm):
    """Create or edit an activity of `account`, any of the seven types. Status changes
    by the actions only (start, complete, cancel, reopen), never here."""

    due_at = AccountDateTimeField(label="Due", required=False)
    contact = ContactChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        empty_label="— None —",
        widget=PickerSelect(kind="contacts", creates=True),
    )
    company = forms.ModelChoiceField(
        queryset=Company.objects.only("id", "name"),
        required=False,
        empty_label="— None —",
        widget=PickerSelect(kind="companies", creates=True),
    )
    deal = forms.ModelChoiceField(
        queryset=Deal.objects.only("id", "title"),
        required=False,
        empty_label="— None —",
        widget=PickerSelect(kind="deals"),
    )
    owner = MemberChoiceField(
        label="Assigned to",
        queryset=User.objects.none(),
        required=False,
        empty_label="— Nobody —",
        widget=PickerSelect(kind="owners"),
    )

    class Meta:
        model = Activity
        fields = [
            "type",
            "subject",
            "due_at",
            "remind_before_minutes",
            "owner",
            "contact",
            "company",
            "deal",
            "description",
        ]
        labels = {"remind_before_minutes": "Remind (minutes before)"}
        help_texts = {"remind_before_minutes": "Empty for no reminder."}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    wide_fields = ("subject", "description")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["due_at"].zone = self.account.zone

    def clean_subject(self):
        return clean_subject_text(self.cleaned_data["subject"], "Enter a subject.")


class LogActivityForm(AccountFormMixin, forms.Form):
    """Log a call or a meeting that happened (a completed activity) and, ticked, the
    follow-up to schedule, in one submit."""

    type = forms.ChoiceField(label="What happened", choices=LOGGED_TYPES, widget=forms.RadioSelect)
    subject = forms.CharField(
        label="Subject",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Discovery call"}),
    )
    description = forms.CharField(
        label="Notes", max_length=10_000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.BooleanField(label="And schedule a follow-up", required=False)
    follow_up_type = forms.ChoiceField(
        label="Follow-up type",
        choices=Activity.Type.choices,
        initial=Activity.Type.TASK,
        required=False,
    )
    follow_up_subject = forms.CharField(label="Follow-up", max_length=200, required=False)
    follow_up_due_at = AccountDateTimeField(label="Follow-up due", required=False)
    owner = MemberChoiceField(
        label="Follow-up assigned to",
        queryset=User.objects.none(),
        required=False,
        empty_label="— Nobody —",
        widget=PickerSelect(kind="owners"),
    )

    wide_fields = ("subject", "description")

    def __init__(self, *args, account, user, links: dict, **kwargs):
        kwargs.setdefault("initial", {"type": Activity.Type.CALL, "owner": user.pk})
        super().__init__(*args, account=account, **kwargs)
        self.user = user
        self.links = links  # {"contact": <Contact>, ...}: what the logged activity is about
        self.fields["follow_up_due_at"].zone = account.zone

    def clean_subject(self):
        return clean_subject_text(self.cleaned_data["subject"], "Say what the call was about.")

    def clean(self):
        data = super().clean()
        if data.get("follow_up"):
            if not (data.get("follow_up_subject") or "").strip():
                self.add_error("follow_up_subject", "Name the follow-up.")
            else:
                data["follow_up_subject"] = data["follow_up_subject"].strip()
        return data

    def logged_data(self) -> dict:
        """The logged activity, for `activity_log`: owned by whoever logs it."""
        return {
            "type": self.cleaned_data["type"],
            "subject": self.cleaned_data["subject"],
            "description": self.cleaned_data["description"],
            "owner": self.user,
            **self.links,
        }

    def follow_up_data(self) -> dict | None:
        if not self.cleaned_data.get("follow_up"):
            return None
        return {
            "type": self.cleaned_data["follow_up_type"] or Activity.Type.TASK,
            "subject": self.cleaned_data["follow_up_subject"],
            "due_at": self.cleaned_data["follow_up_due_at"],
            "owner": self.cleaned_data["owner"],
            **self.links,
        }


class RescheduleForm(forms.Form):
    """`when`: a shortcut, or "date" with `day` picked. `day_for(today)` is the day."""

    when = forms.ChoiceField(choices=[*SHORTCUTS, ("date", "Pick a date")])
    day = forms.DateField(required=False, validators=[validate_calendar_range])

    def clean(self):
        data = super().clean()
        if data.get("when") == "date" and not data.get("day"):
            self.add_error("day", "Pick a date.")
        return data

    def day_for(self, today):
        when = self.cleaned_data["when"]
        return self.cleaned_data["day"] if when == "date" else shortcut_day(when, today=today)
