"""What the trash page and the Undo button post: the records to restore."""

from django import forms

from events.models import RECORD_TYPES
from lib.ids import parse_id

MAX_RECORDS = 500


class RestoreForm(forms.Form):
    """`records`, repeated: "contact:12", a record's type and id (what the page's
    checkboxes, its rows' Restore buttons and the Undo button send). `next`: where to
    go back, checked by the view. Records of other accounts match nothing there."""

    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, values: list[str], **kwargs):
        """`values`: the raw `records` (`request.POST.getlist("records")`)."""
        super().__init__(*args, **kwargs)
        self.values = values

    def clean(self):
        data = super().clean()
        keys = []
        for value in self.values[:MAX_RECORDS]:
            record_type, _, raw_id = str(value).partition(":")
            record_id = parse_id(raw_id)
            if record_type not in RECORD_TYPES or record_id is None:
                raise forms.ValidationError("That is not a record of the trash.")
            if (record_type, record_id) not in keys:
                keys.append((record_type, record_id))
        if not keys:
            raise forms.ValidationError("Select at least one record to restore.")
        data["records"] = keys
        return data


class RestoreAllForm(forms.Form):
    """ "Restore all" of the page's filter (`type`, optional)."""

    type = forms.ChoiceField(choices=[("", "All"), *((t, t) for t in RECORD_TYPES)], required=False)
