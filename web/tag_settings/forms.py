"""The forms of the tag settings: a tag's name and colour, and the tag to merge into."""

from django import forms

from accounts.models import Tag
from accounts.tags import validate_tag_name
from web.account_forms import AccountModelForm


class TagForm(AccountModelForm):
    """A tag's name (unique in the account whatever its case: Tag.clean) and colour."""

    class Meta:
        model = Tag
        fields = ["name", "color"]
        labels = {"color": "Colour"}
        help_texts = {"color": "As #rrggbb, e.g. #2563eb; empty for none."}
        widgets = {"color": forms.TextInput(attrs={"placeholder": "#2563eb", "maxlength": 7})}

    def clean_name(self):
        name = self.cleaned_data["name"]
        validate_tag_name(name)
        return name.strip()

    def changed_values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data}


class TagMergeForm(forms.Form):
    """The tag this one merges into, by id (looked up among the account's tags by the
    view: another account's is a 404, as everywhere)."""

    into = forms.IntegerField(label="Merge into", min_value=1, max_value=2**63 - 1)
