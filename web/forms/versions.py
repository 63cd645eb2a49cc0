"""Edit forms that carry the version of the record they were opened on.

`VersionedFormMixin` adds a hidden `version` (lib/versions.py, the same version
the API's ETags carry). The view saves inside `web.edit_conflicts.saving_at_version`,
which refuses the save when the record changed since that version.
"""

from django import forms
from django.core.validators import RegexValidator

from lib.versions import version_of


class VersionedFormMixin:
    """For a ModelForm of a record with `updated_at`: a hidden `version` field, set to
    the record's version when an edit form is opened. Left empty (a client that never
    opened the form) the save is not checked, as an API write without `If-Match`."""

    # Not a field of the record: OpenedValuesMixin.record_data() leaves it out.
    not_record_fields = ("version",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"] = forms.CharField(
            required=False,
            max_length=24,
            widget=forms.HiddenInput,
            validators=[RegexValidator(r"^\d+$", "This form is damaged: reload the page.")],
        )
        if self.instance.pk is not None:
            self.initial["version"] = version_of(self.instance)
