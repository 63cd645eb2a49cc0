"""Forms of the CSV import: the upload (checked against the size the site accepts)
and the columns' mapping."""

from django import forms

from contacts.imports import FIELDS, IGNORE, MAX_BYTES, CsvProblem, mapping_problems, read_csv
from contacts.imports.mapping import custom_field_choices
from contacts.models import ContactImport
from web.upload_limits import megabytes
from web.upload_limits import upload_limit as shared_upload_limit


def upload_limit() -> int:
    """The largest CSV file the page accepts (web/upload_limits.py)."""
    return shared_upload_limit(MAX_BYTES)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
        error_messages={
            "required": "Choose a CSV file to upload.",
            "empty": "The file is empty. Upload a CSV file with a header row and contacts.",
        },
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > upload_limit():
            raise forms.ValidationError(
                f"The file is {megabytes(upload.size)}; the limit is "
                f"{megabytes(upload_limit())}. Split it into smaller files."
            )
        try:
            self.csv_file = read_csv(upload.read())
        except CsvProblem as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


class MappingForm(forms.Form):
    """A field choice per column of the file, what to do with duplicate emails and with
    rows that have errors, and whether to create the companies rows name."""

    mode = forms.ChoiceField(
        label="When some rows have errors",
        choices=ContactImport.Mode.choices,
        initial=ContactImport.Mode.ALL_OR_NOTHING,
        widget=forms.RadioSelect,
        required=False,  # left out: all or nothing, as before there was a choice
    )
    create_companies = forms.BooleanField(
        label="Create companies that don't exist yet",
        required=False,
        help_text="A company cell that names no company of the account (by name or "
        "domain) creates one, once per name whatever its case.",
    )
    on_duplicate = forms.ChoiceField(
        label="When a contact with the same email already exists",
        choices=ContactImport.OnDuplicate.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, headers, definitions=(), **kwargs):
        """`definitions`: the account's contact custom fields, offered after the
        contact's own fields."""
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.definitions = definitions
        choices = [
            (IGNORE, "— Don't import —"),
            *FIELDS.items(),
            *custom_field_choices(definitions).items(),
        ]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or f"Column {index + 1}", choices=choices, required=False
            )

    def clean(self):
        cleaned = super().clean()
        cleaned["mode"] = cleaned.get("mode") or ContactImport.Mode.ALL_OR_NOTHING
        cleaned["mapping"] = [
            cleaned.get(f"column_{i}") or IGNORE for i in range(len(self.headers))
        ]
        for problem in mapping_problems(cleaned["mapping"], self.definitions):
            self.add_error(None, problem)
        return cleaned

    def columns(self):
        return [self[f"column_{i}"] for i in range(len(self.headers))]
