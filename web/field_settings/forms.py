"""The custom field definition form of the settings page. It only reads what was
typed: customfields.services checks the rules (the model's `clean`, the key's
uniqueness) and the view shows its errors by field, as the API answers them."""

from django import forms

from customfields.models import MAX_OPTION_LENGTH, MAX_OPTIONS, CustomFieldDefinition

Definition = CustomFieldDefinition


class DefinitionForm(forms.Form):
    """A new definition (`creating`), or the label, options and required flag of one:
    its record type, key and type are fixed once created (values are stored under the
    key, typed by the type)."""

    record_type = forms.ChoiceField(label="Record type", choices=Definition.RecordType.choices)
    label = forms.CharField(max_length=100, required=False, help_text="Left empty: the key.")
    key = forms.CharField(
        max_length=40,
        help_text="1-40 of a-z, 0-9 and _, starting with a letter; the API, the filters and "
        "the CSV files name the field by it. Fixed once created.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    type = forms.ChoiceField(label="Type", choices=Definition.Type.choices)
    options = forms.CharField(
        required=False,
        label="Options",
        help_text=f"For a select: one option a line, up to {MAX_OPTIONS}.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    required = forms.BooleanField(
        required=False, label="Required", help_text="New records must have a value."
    )

    FIXED = ("record_type", "key", "type")

    def __init__(self, *args, definition=None, **kwargs):
        if definition is not None:
            kwargs.setdefault(
                "initial",
                {
                    "record_type": definition.record_type,
                    "label": definition.label,
                    "key": definition.key,
                    "type": definition.type,
                    "options": "\n".join(definition.options or []),
                    "required": definition.required,
                },
            )
        super().__init__(*args, **kwargs)
        self.definition = definition
        if definition is not None:
            for name in self.FIXED:
                self.fields[name].disabled = True
                self.fields[name].required = False

    def clean_key(self):
        return (self.cleaned_data.get("key") or "").strip()

    def clean_options(self):
        lines = (self.cleaned_data.get("options") or "").splitlines()
        options = [line.strip() for line in lines if line.strip()]
        if any(len(option) > MAX_OPTION_LENGTH for option in options):
            raise forms.ValidationError(f"Options must be at most {MAX_OPTION_LENGTH} characters.")
        return options

    def definition_data(self) -> dict:
        """What the customfields service writes: every field for a new definition; the
        label, options and required flag of an existing one."""
        data = dict(self.cleaned_data)
        if self.definition is not None:
            data = {name: data[name] for name in ("label", "options", "required")}
            if self.definition.type != Definition.Type.SELECT:
                data.pop("options")
        return data
