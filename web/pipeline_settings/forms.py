"""The forms of the pipeline settings: a pipeline's name, a stage's name and
probability, a stage's move and the stages' new order. Names are checked as the API
checks them (printable, unique: a pipeline's in the account whatever its case, a
stage's within its pipeline whatever its case)."""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

from accounts.uniqueness import validate_unique_in_account
from deals.models import Pipeline, Stage
from lib.ids import parse_id

MAX_STAGES = 50  # the API's limit on a pipeline's stage list


def validate_printable(value: str) -> None:
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in value):
        raise ValidationError("Must not contain control characters.")


class PipelineForm(forms.Form):
    """A new pipeline's name, or a pipeline's new name."""

    name = forms.CharField(max_length=100, validators=[validate_printable])

    def __init__(self, *args, account, pipeline: Pipeline | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.account, self.pipeline = account, pipeline
        if pipeline is not None:
            self.fields["name"].initial = pipeline.name
            self.fields["name"].label = "Pipeline name"

    def clean_name(self):
        name = self.cleaned_data["name"]
        candidate = Pipeline(account=self.account, name=name)
        if self.pipeline is not None:  # itself is no clash
            candidate.pk, candidate._state.adding = self.pipeline.pk, False
        try:
            validate_unique_in_account(candidate)
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        return name


class StageForm(forms.Form):
    """A stage's name and probability (a new stage's, or an edit)."""

    name = forms.CharField(max_length=100, validators=[validate_printable])
    probability = forms.IntegerField(
        label="Probability (%)",
        min_value=0,
        max_value=100,
        help_text="0-100: how likely a deal in this stage is to be won.",
    )

    def __init__(self, *args, pipeline: Pipeline, stages, stage: Stage | None = None, **kwargs):
        """`stages`: the pipeline's stages (read once by the view, for every form)."""
        super().__init__(*args, **kwargs)
        self.pipeline, self.stages, self.stage = pipeline, list(stages), stage
        if stage is None:
            self.prefix = "new-stage"
            self.fields["name"].label = "Stage name"
            self.fields["probability"].help_text = ""  # the page says it once
        else:
            # Every stage has its form on one page: ids and names of their own, named
            # for the stage (the visible label's words first, WCAG's "label in name").
            self.prefix = f"stage-{stage.pk}"
            self.initial = {"name": stage.name, "probability": stage.probability}
            self.fields["name"].widget.attrs["aria-label"] = f"Name of stage {stage.name}"
            self.fields["probability"].widget.attrs["aria-label"] = (
                f"Probability of stage {stage.name}"
            )
            self.fields["probability"].help_text = ""

    def clean_name(self):
        name = self.cleaned_data["name"]
        others = {s.name.casefold() for s in self.stages if s.pk != getattr(self.stage, "pk", None)}
        if name.casefold() in others:
            raise ValidationError("Stage names must be unique within a pipeline.")
        if self.stage is None and len(self.stages) >= MAX_STAGES:
            raise ValidationError(f"A pipeline has at most {MAX_STAGES} stages.")
        return name

    def changed_values(self) -> dict:
        """What an edit writes: the fields that differ from the stage."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if self.stage is None or getattr(self.stage, name) != value
        }


class StageMoveForm(forms.Form):
    """One place up or down (the keyboard's and the no-JavaScript way to reorder)."""

    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])

    @property
    def offset(self) -> int:
        return -1 if self.cleaned_data["direction"] == "up" else 1


class StageOrderForm(forms.Form):
    """The stages' new order (a drag): `stages`, every stage id of the pipeline once."""

    stages = forms.CharField(required=False)  # repeated; read with getlist() in clean

    def clean(self):
        raw = self.data.getlist("stages") if hasattr(self.data, "getlist") else []
        ids = [parse_id(value) for value in raw]
        if not ids or None in ids or len(ids) > MAX_STAGES:
            raise ValidationError("Send every stage of the pipeline, by id, in the new order.")
        self.cleaned_data["stage_ids"] = ids
        return self.cleaned_data
