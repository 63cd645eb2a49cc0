"""Forms of the contacts pages: create/edit, bulk actions, the list's filters."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.tags import validate_tag_name
from companies.models import Company
from contacts.models import Contact
from lib.ids import parse_id
from web.account_forms import AccountModelForm
from web.bulk_delete import selected_ids
from web.custom_field_forms import CustomFieldsFormMixin
from web.form_fields import MemberChoiceField, PhoneField, PickerSelect, TagNamesField
from web.form_versions import VersionedFormMixin
from web.model_rules import ModelRulesMixin
from web.opened_values import OpenedValuesMixin


class ContactForm(
    CustomFieldsFormMixin, ModelRulesMixin, VersionedFormMixin, OpenedValuesMixin, AccountModelForm
):
    """Create or edit a contact of `account`.

    The same rules as the API's ContactSerializer: email trimmed, lower-cased and
    unique in the account (the model's clean() and its constraint), phone parsed in
    the account's region and stored as E.164 (`contacts.phones.parse_phone`),
    company and owner chosen among the account's own rows, tags as names. The view
    writes `record_data()` through the contact services.
    """

    normalised_by_model = ("email",)
    custom_field_record_type = "contact"

    phone = PhoneField(label="Phone", required=False)
    company = forms.ModelChoiceField(
        queryset=Company.objects.only("id", "name").order_by("name", "id"),
        required=False,
        empty_label="— No company —",
        widget=PickerSelect(kind="companies", creates=True),
    )
    owner = MemberChoiceField(
        queryset=User.objects.all(),
        required=False,
        empty_label="— Nobody —",
        widget=PickerSelect(kind="owners"),
    )
    tags = TagNamesField(label="Tags")

    wide_fields = ("title", "tags")  # span the form's grid

    class Meta:
        model = Contact
        fields = ["first_name", "last_name", "email", "phone", "title", "company", "owner"]
        labels = {"first_name": "First name", "last_name": "Last name", "title": "Job title"}
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "email": forms.EmailInput(
                attrs={"autocomplete": "off", "placeholder": "name@company.com"}
            ),
            "title": forms.TextInput(attrs={"placeholder": "Head of Purchasing"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].region = self.account.phone_region
        self.fields["tags"].widget.attrs.update(
            {"list": "tag-options", "autocomplete": "off", "placeholder": "vip, partner"}
        )
        if self.instance.pk is not None and not self.is_bound:
            # One query: the contact's tags, as the text the field shows.
            self.initial["tags"] = [tag.name for tag in self.instance.tags.all()]

    def clean_first_name(self):
        name = self.cleaned_data["first_name"].strip()
        if not name:
            raise ValidationError("Enter a first name.")
        return name


class BulkActionForm(forms.Form):
    """What to do with the contacts selected on the list (ids are scoped by the view)."""

    ACTIONS = [("add_tag", "Add tag"), ("assign_owner", "Assign owner"), ("delete", "Delete")]
    MAX_IDS = 500

    action = forms.ChoiceField(choices=ACTIONS)
    tag = forms.CharField(required=False, max_length=50)
    owner = forms.CharField(required=False)

    def __init__(self, *args, account, ids: list[str], **kwargs):
        """`ids`: the raw values of the repeated `ids` field (`request.POST.getlist`)."""
        super().__init__(*args, **kwargs)
        self.account = account
        self.raw_ids = ids

    def clean(self):
        data = super().clean()
        ids = selected_ids(self.raw_ids, limit=self.MAX_IDS)
        if not ids:
            raise ValidationError("Select at least one contact.")
        data["ids"] = ids
        action = data.get("action")
        if action == "add_tag":
            name = (data.get("tag") or "").strip()
            try:
                validate_tag_name(name)
            except ValidationError:
                self.add_error("tag", "Type the tag to add (1-50 characters).")
            data["tag"] = name
        elif action == "assign_owner":
            owner = (data.get("owner") or "").strip()
            if owner == "none":
                data["owner"] = None
            else:
                owner_id = parse_id(owner)
                member = (
                    User.objects.assignable_to(self.account).filter(pk=owner_id).first()
                    if owner_id is not None
                    else None
                )
                if member is None:
                    self.add_error("owner", "Pick a member of this account.")
                data["owner"] = member
        return data
