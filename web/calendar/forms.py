"""The calendar's forms: what the page shows (view, day, owner) and "Move to…"."""

import datetime as dt

from django import forms

from lib.calendar_range import validate_calendar_range
from web.calendar.periods import KINDS, WEEK
from web.form_fields import MemberChoiceField


class CalendarForm(forms.Form):
    """`?view=week|month&date=YYYY-MM-DD&owner=<member id>`. A value that is not
    understood falls back to its default (this week, me) rather than failing the
    page: another account's user id is simply not one of the choices."""

    view = forms.ChoiceField(choices=KINDS, required=False)
    date = forms.DateField(required=False, validators=[validate_calendar_range])
    owner = MemberChoiceField(queryset=None, required=False, empty_label=None)

    def __init__(self, data, *, members, me, today: dt.date):
        super().__init__(data)
        self.me = me
        self.today = today
        self.fields["owner"].queryset = members
        self.fields["owner"].label = "Whose"

    def value(self, name):
        """The cleaned value of a field, or its default when it was missing or bad."""
        self.is_valid()  # cleaned_data keeps the fields that were valid
        value = self.cleaned_data.get(name)
        if value:
            return value
        return {"view": WEEK, "date": self.today, "owner": self.me}[name]


class MoveForm(forms.Form):
    """Move an activity to another day, at the time it has (or at `time`); `shift`
    (the "Previous day" and "Next day" buttons) moves it a day from `date`."""

    date = forms.DateField(validators=[validate_calendar_range])
    time = forms.TimeField(required=False)
    shift = forms.TypedChoiceField(
        choices=[("-1", "Previous day"), ("1", "Next day")], coerce=int, required=False
    )

    def day(self) -> dt.date:
        """The day to move to (a ValidationError past the calendar's ends)."""
        day = self.cleaned_data["date"]
        if self.cleaned_data.get("shift"):
            try:
                day += dt.timedelta(days=self.cleaned_data["shift"])
            except OverflowError:
                raise forms.ValidationError("That day is outside the calendar.") from None
            validate_calendar_range(day)
        return day
