"""The company form: every related choice comes from the request's account."""

from django import forms

from accounts.models import User
from companies.models import Company
from web.account_forms import AccountModelForm
from web.custom_field_forms import CustomFieldsFormMixin
from web.form_fields import MemberChoiceField, PickerSelect, TagNamesField
from web.form_versions import VersionedFormMixin
from web.model_rules import ModelRulesMixin
from web.opened_values import OpenedValuesMixin


class CompanyForm(
    CustomFieldsFormMixin, ModelRulesMixin, VersionedFormMixin, OpenedValuesMixin, AccountModelForm
):
    """Create or edit a company of `account`.

    The model's `clean()` normalises the domain and refuses a parent that would make
    the company its own ancestor; its (account, domain) constraint refuses a domain
    another company uses, worded here with the domain. The view writes
    `record_data()` through the company services.
    """

    normalised_by_model = ("domain",)
    custom_field_record_type = "company"

    parent = forms.ModelChoiceField(
        queryset=Company.objects.only("id", "name"),
        required=False,
        empty_label="— None (top-level company) —",
        label="Parent company",
        widget=PickerSelect(kind="companies", creates=True),
    )
    owner = MemberChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="— Nobody —",
        widget=PickerSelect(kind="owners"),
    )
    tags = TagNamesField(label="Tags")

    class Meta:
        model = Company
        fields = ["name", "domain", "industry", "size", "parent", "owner"]
        labels = {"domain": "Web domain"}
        help_texts = {"domain": "Such as acme.com; a full web address is fine too."}
        error_messages = {
            "domain": {"unique_domain": "Another company already uses the domain %(value)s."}
        }
        widgets = {
            "name": forms.TextInput(attrs={"autofocus": True}),
            "domain": forms.TextInput(attrs={"placeholder": "acme.com", "autocomplete": "off"}),
            "industry": forms.TextInput(attrs={"list": "industry-options"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            parents = self.fields["parent"].queryset.exclude(pk=self.instance.pk)
            self.fields["parent"].queryset = parents
        self.fields["size"].choices = [("", "— Unknown —"), *Company.Size.choices]
        self.fields["tags"].widget.attrs.update(
            {"list": "tag-options", "autocomplete": "off", "placeholder": "customer, partner"}
        )
        if self.instance.pk is not None and not self.is_bound:
            # One query: the company's tags, as the text the field shows.
            self.initial["tags"] = [tag.name for tag in self.instance.tags.all()]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the company's name.")
        return name
