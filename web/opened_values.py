"""Edit forms that send only what the user changed.

An edit form carries the values it was opened on (Django's `show_hidden_initial`: an
`initial-<name>` hidden input per field), so `changed_data` names the fields the user
edited, not those someone else changed since the form was opened. The record service
then writes only those, and a concurrent change to another field stays. A post without
the hidden inputs (an old page, a script) is compared with the record as stored.
"""


class OpenedValuesMixin:
    """For a ModelForm: `record_data()` is what the record's service should write."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.carry_opened_values(self.fields)

    def carry_opened_values(self, names) -> None:
        """Give the fields `names` their hidden "opened on" value on an edit form (a
        form adding fields after this mixin's __init__ calls it for them)."""
        editing = self.instance.pk is not None
        for name in names:
            self.fields[name].show_hidden_initial = editing and (
                not self.is_bound or self[name].html_initial_name in self.data
            )

    def record_data(self) -> dict:
        """Every field's value for a new record; for an existing one, the fields the
        user changed since the form was opened."""
        names = self.changed_data if self.instance.pk is not None else self.fields
        skip = getattr(self, "not_record_fields", ())
        return {
            name: self.cleaned_data[name]
            for name in names
            if name in self.cleaned_data and name not in skip
        }
