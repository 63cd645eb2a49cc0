"""Uniqueness within an account, answered by the model's own constraints.

Every CRM model's unique constraints lead with `account` (email per account, domain
per account, ...), and each carries its `violation_error_message` and
`violation_error_code`. Django's model validation skips a constraint when one of its
fields is not on the form, and `account` never is on the web app's forms nor in the
API's serializers, so those faces would each need a query of their own. They call
`validate_unique_in_account` instead: the constraint's own check, its own message and
code, keyed by the field the user typed, so the API, the web app and the admin give
the same answer.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import F, UniqueConstraint


def _field_names(constraint: UniqueConstraint) -> tuple[str, ...]:
    if constraint.fields:
        return tuple(constraint.fields)
    names: list[str] = []

    def walk(expression):
        if isinstance(expression, F):
            names.append(expression.name)
        for source in getattr(expression, "get_source_expressions", list)():
            walk(source)

    for expression in constraint.expressions:
        walk(expression)
    return tuple(names)


def unique_in_account(model) -> list[tuple[UniqueConstraint, tuple[str, ...]]]:
    """The model's unique constraints that lead with `account`, each with the names
    of its other fields."""
    found = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint):
            names = _field_names(constraint)
            if names[:1] == ("account",) and len(names) > 1:
                found.append((constraint, names[1:]))
    return found


def validate_unique_in_account(instance, *, exclude=()) -> None:
    """ValidationError when `instance` would break one of its model's unique
    constraints within its account; constraints on a field in `exclude` are skipped.

    One query per constraint checked. The error carries the constraint's message and
    code, under the constraint's one other field (else a non-field error), with that
    field's value as the `value` parameter, for a face that words it its own way.
    """
    if instance.account_id is None:
        return
    model = type(instance)
    skip = set(exclude) - {"account"}
    errors: dict[str, list[ValidationError]] = {}
    for constraint, names in unique_in_account(model):
        if skip.intersection(names):
            continue
        try:
            constraint.validate(model, instance, exclude=skip)
        except ValidationError as exc:
            key = names[0] if len(names) == 1 else NON_FIELD_ERRORS
            value = getattr(instance, key, None) if key != NON_FIELD_ERRORS else None
            errors.setdefault(key, []).append(
                ValidationError(exc.message, code=exc.code, params={"value": value})
            )
    if errors:
        raise ValidationError(errors)
