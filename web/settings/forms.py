"""The account's settings form: the fields the API's `PATCH /account/` writes."""

import zoneinfo

import phonenumbers
from django import forms

from accounts.models import Account
from accounts.services import ACCOUNT_SETTINGS


def time_zone_choices():
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def phone_region_choices():
    # "FR (+33)": the calling code tells regions apart without a country-name table.
    return [
        (region, f"{region} (+{phonenumbers.country_code_for_region(region)})")
        for region in sorted(phonenumbers.SUPPORTED_REGIONS)
    ]


class AccountSettingsForm(forms.ModelForm):
    """Name, currency, phone region and time zone; the model's validators decide."""

    class Meta:
        model = Account
        fields = list(ACCOUNT_SETTINGS)
        labels = {"name": "Account name", "phone_region": "Phone region", "time_zone": "Time zone"}
        help_texts = {
            "currency": "New deals start in this currency; existing deals keep theirs.",
            "phone_region": "Phone numbers typed without a country code are read in this region.",
            "time_zone": "Due dates, “today” and the dashboard follow this time zone.",
        }
        widgets = {"name": forms.TextInput(attrs={"autocomplete": "organization"})}

    def __init__(self, *args, read_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone_region"] = forms.ChoiceField(
            choices=phone_region_choices(),
            label=self.fields["phone_region"].label,
            help_text=self.fields["phone_region"].help_text,
        )
        self.fields["time_zone"] = forms.ChoiceField(
            choices=time_zone_choices(),
            label=self.fields["time_zone"].label,
            help_text=self.fields["time_zone"].help_text,
        )
        if read_only:  # members see the settings, greyed out
            for field in self.fields.values():
                field.disabled = True
