"""Model forms that leave the rules to the model.

Django's model validation skips every unique constraint that names a field the form
does not have, and no form of the web app has `account` (the view gives it). This
mixin checks those constraints all the same (`accounts.uniqueness`), with the
constraint's message and code on the field; a form words an error its own way by
that code in `Meta.error_messages`, whose message may use `%(value)s`. Values the
model's `clean()` normalises (an email lower-cased, a domain stripped of its scheme)
replace what was typed in `cleaned_data`, so the service writes what was checked.
"""

from django.core.exceptions import ValidationError

from accounts.uniqueness import validate_unique_in_account


class ModelRulesMixin:
    """For a ModelForm of an account's record whose instance has its account set."""

    # Fields whose value the model's clean() normalises.
    normalised_by_model: tuple[str, ...] = ()

    def _post_clean(self):
        super()._post_clean()
        for name in self.normalised_by_model:
            if name in self.cleaned_data and name not in self.errors:
                self.cleaned_data[name] = getattr(self.instance, name)

    def validate_unique(self):
        super().validate_unique()
        try:
            validate_unique_in_account(self.instance, exclude=self._get_validation_exclusions())
        except ValidationError as exc:
            self._update_errors(exc)
