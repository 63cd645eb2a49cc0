"""Deal forms: the deal itself, and the small forms of the state machine's actions."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.models import User
from companies.models import Company
from contacts.models import Contact
from deals.currencies import currency_choices
from deals.models import MAX_VALUE_CENTS, Deal, Pipeline, Stage
from lib.ids import parse_id
from web.account_forms import AccountModelForm
from web.custom_field_forms import CustomFieldsFormMixin
from web.form_fields import MemberChoiceField, PickerSelect
from web.form_versions import VersionedFormMixin
from web.opened_values import OpenedValuesMixin


class ContactChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, contact):
        return f"{contact.full_name} ({contact.email})" if contact.email else contact.full_name


class DealForm(CustomFieldsFormMixin, VersionedFormMixin, OpenedValuesMixin, AccountModelForm):
    """Create or edit a deal of `account`.

    The model decides the stage (`Deal.stage_in_pipeline`, as for the API and the
    admin): one of the pipeline's; left empty, the deal's own or the pipeline's first.
    A closed deal keeps its stage: reopen it first (the state machine's rule).
    """

    custom_field_record_type = "deal"

    pipeline = forms.ModelChoiceField(queryset=Pipeline.objects.none(), empty_label=None)
    stage = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Left empty: the pipeline's first stage.",
    )
    value = forms.DecimalField(
        min_value=Decimal(0),
        max_value=Decimal(MAX_VALUE_CENTS) / 100,
        decimal_places=2,
        max_digits=16,
        required=False,
        label="Value",
        widget=forms.NumberInput(
            attrs={"step": "0.01", "inputmode": "decimal", "placeholder": "0.00"}
        ),
    )
    # Active codes only, the account's and those in use first (deals/currencies.py).
    currency = forms.ChoiceField(choices=[])
    probability = forms.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        label="Probability (%)",
        help_text="Left empty: the stage's probability.",
    )
    contact = ContactChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        empty_label="— None —",
        widget=PickerSelect(kind="contacts", creates=True),
    )
    company = forms.ModelChoiceField(
        queryset=Company.objects.none(),
        required=False,
        empty_label="— None —",
        widget=PickerSelect(kind="companies", creates=True),
    )
    owner = MemberChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="— Nobody —",
        widget=PickerSelect(kind="owners"),
    )

    class Meta:
        model = Deal
        fields = [
            "title",
            "pipeline",
            "currency",
            "probability",
            "expected_close_date",
            "company",
            "contact",
            "owner",
        ]
        labels = {"expected_close_date": "Expected close date"}
        widgets = {
            "title": forms.TextInput(attrs={"autofocus": True}),
            "expected_close_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        account = self.account
        # board.js shows only the chosen pipeline's stages (the server checks anyway).
        self.fields["pipeline"].widget.attrs["data-stages"] = "id_stage"
        # One query for every stage of the account, grouped by pipeline in the select.
        self.stages = {
            stage.pk: stage
            for stage in Stage.objects.for_account(account)
            .select_related("pipeline")
            .order_by("pipeline__name", "pipeline_id", "position", "id")
        }
        groups: dict[str, list] = {}
        for stage in self.stages.values():
            groups.setdefault(stage.pipeline.name, []).append((stage.pk, stage.name))
        self.fields["stage"].choices = [("", "— First stage —"), *groups.items()]
        keep = self.instance.currency if self.instance.pk is not None else None
        self.fields["currency"].choices = currency_choices(account=account, keep=keep)
        if self.instance.pk is not None:
            self.initial.setdefault("value", Decimal(self.instance.value_cents) / 100)
        else:
            self.initial.setdefault("currency", account.currency)
        self.narrow_contacts()

    def narrow_contacts(self) -> None:
        """With a company chosen, offer that company's contacts (and the contact already
        chosen, so an edit never loses it); the company select refreshes this field
        over htmx when it changes. Another account's ids narrow to nothing."""
        company = self["company"].value()
        contact = self["contact"].value()
        company_id = parse_id(str(company)) if company not in (None, "") else None
        if company_id is None:
            return
        contact_id = parse_id(str(contact)) if contact not in (None, "") else None
        field = self.fields["contact"]
        field.queryset = field.queryset.filter(Q(company_id=company_id) | Q(pk=contact_id))
        field.widget.attrs["data-company"] = company_id

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Enter a title for the deal.")
        return title

    def clean(self):
        data = super().clean()
        pipeline = data.get("pipeline")
        stage_id = data.get("stage")
        if pipeline is None:
            return data
        stage = None
        if stage_id is not None:
            stage = self.stages.get(stage_id)
            if stage is None:  # not a stage of this account
                self.add_error("stage", f"Pick a stage of the {pipeline.name} pipeline.")
                return data
        # The model decides the stage (as for the API and the admin); its clean(), run
        # next with the pipeline set, refuses a new stage or pipeline for a closed deal.
        try:
            self.instance.stage = self.instance.stage_in_pipeline(
                pipeline, stage, stages=self.stages.values()
            )
        except ValidationError as exc:
            self.add_error(None, exc)
        return data

    def deal_data(self) -> dict:
        """Every field of the deal as the form has it, for `deal_create`."""
        data = {name: self.cleaned_data.get(name) for name in self._meta.fields}
        data["stage"] = self.instance.stage  # clean() picked it, or the first one
        data["value_cents"] = int((self.cleaned_data.get("value") or 0) * 100)
        return data | self.custom_fields_data()

    def changed_deal_data(self) -> dict:
        """Only the fields the user changed, for `deal_update`: a field left as it was
        shown never overwrites a change someone else made since."""
        data = self.deal_data()
        changed = set(self.changed_data)
        if changed & {"stage", "pipeline"}:
            changed |= {"stage", "pipeline"}
        if "value" in changed:
            changed.add("value_cents")
        if "custom_fields" in data:  # custom_fields_data() has only what changed
            changed.add("custom_fields")
        return {name: value for name, value in data.items() if name in changed}


class MoveForm(forms.Form):
    stage = forms.TypedChoiceField(coerce=int, label="Move to stage")

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = {stage.pk: stage for stage in stages}
        self.fields["stage"].choices = [(s.pk, s.name) for s in stages]


class LoseForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        required=False,
        label="Reason",
        widget=forms.TextInput(attrs={"placeholder": "Why was it lost?"}),
    )
