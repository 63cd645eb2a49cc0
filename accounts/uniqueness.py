"""Uniqueness within an account, answered by the model's own constraints.

Every CRM model's unique constraints lead with `account` (email per account, domain
per account, ...), and each carries its `violation_error_message` and
`violation_error_code`. Django's model validation skips a constraint when one of its
fields is not on the form, and `account` never is on the web app's forms nor in the
API's serializers, so those faces would each need a query of their own. They call
`validate_unique_in_account` instead: the constraint's own check, its own message and
code, keyed by the field the user typed, so the API, the web app and the admin give
the same answer.

Validation reads before the write, so two requests can both pass it and the database's
constraint refuses the second: services write inside `unique_conflicts`, which turns
that IntegrityError into the same answer (UniqueConflict) instead of a 500.
"""

import re
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, UniqueConstraint

from lib.errors import UniqueConflict


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


def violated_constraint(exc: IntegrityError, model) -> UniqueConstraint | None:
    """Which of `model`'s unique constraints the database named in `exc`, if any.
    PostgreSQL names it (psycopg's `diag`); SQLite names an expression's index, or
    the columns of a constraint on fields."""
    constraints = [c for c in model._meta.constraints if isinstance(c, UniqueConstraint)]
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:
        name = diag.constraint_name
        if name is None:
            # Citus passes on the worker's message only, naming the shard's copy of the
            # constraint: its name, "_", the shard's id (tag_unique_name_102041).
            named = re.search(r'unique constraint "([^"]+)"', diag.message_primary or "")
            name = re.sub(r"_\d+$", "", named.group(1)) if named else ""
        names = {name}
        return next((c for c in constraints if c.name in names), None)
    message = str(exc)
    table = model._meta.db_table
    for constraint in constraints:
        if constraint.fields:
            columns = ", ".join(
                f"{table}.{model._meta.get_field(name).column}" for name in constraint.fields
            )
            if message == f"UNIQUE constraint failed: {columns}":
                return constraint
        elif message == f"UNIQUE constraint failed: index '{constraint.name}'":
            return constraint
    return None


@contextmanager
def unique_conflicts(model, *, field: str):
    """Run the block in a savepoint; when the database refuses it on one of `model`'s
    unique constraints (a concurrent request wrote the same name after this one was
    validated), raise UniqueConflict with that constraint's message and code under
    `field` (the one the user typed: `name`, also for a tag's `name_key`). The
    savepoint keeps the caller's transaction usable, and the caller's atomic block
    rolls back whatever it wrote before; any other IntegrityError propagates."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        constraint = violated_constraint(exc, model)
        if constraint is None:
            raise
        raise unique_conflict(model, constraint.name, field=field) from exc


def unique_conflict(model, constraint_name: str, *, field: str) -> UniqueConflict:
    """The UniqueConflict of `model`'s constraint `constraint_name`: its own message and
    code, under `field`."""
    constraint = next(c for c in model._meta.constraints if c.name == constraint_name)
    return UniqueConflict(
        {
            field: ValidationError(
                constraint.violation_error_message, code=constraint.violation_error_code
            )
        }
    )
