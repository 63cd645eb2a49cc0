"""The merge screen's form: for each field where both records hold a different value,
which one the merged record keeps."""

from django import forms

KEEP_MINE, KEEP_OTHER = "mine", "other"


class MergeForm(forms.Form):
    """One radio group per contested field (`rows`: the screen's `FieldRow`s); its
    default is the contract's rule, the record that stays."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            if row.contested:
                self.fields[row.name] = forms.ChoiceField(
                    label=row.label,
                    choices=[(KEEP_MINE, row.mine), (KEEP_OTHER, row.theirs)],
                    initial=KEEP_MINE,
                    required=False,  # not sent: the record that stays keeps its own
                    widget=forms.RadioSelect,
                )

    def prefer_other(self) -> list[str]:
        """The fields whose other value was chosen (the service's `prefer_other`)."""
        return [name for name, choice in self.cleaned_data.items() if choice == KEEP_OTHER]
