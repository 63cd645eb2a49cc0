from django import forms

from accounts.models import User
from notifications.models import NotificationPreferences


class ProfileForm(forms.ModelForm):
    """What a user may change about themselves on their profile page."""

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }


class NotificationPreferencesForm(forms.ModelForm):
    """The user's notification preferences (the same in each of their accounts)."""

    class Meta:
        model = NotificationPreferences
        fields = ["default_remind_before_minutes", "email_enabled"]
        labels = {
            "default_remind_before_minutes": "Default reminder (minutes before due)",
            "email_enabled": "Email me each notification",
        }
        help_texts = {
            "default_remind_before_minutes": (
                "New tasks start with this reminder; empty for none. At most 40,320 (four weeks)."
            ),
            "email_enabled": "Reminders and assignments also arrive at your email address.",
        }
        widgets = {
            "default_remind_before_minutes": forms.NumberInput(attrs={"min": 0, "max": 40320}),
        }
