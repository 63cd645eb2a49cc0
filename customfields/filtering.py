"""List filters and ordering on defined custom fields, for the API and the web lists:
`cf_<key>=<value>` (exact), `cf_<key>__gte` / `cf_<key>__lte` (number and date) and
`ordering=cf_<key>` / `-cf_<key>`.

On PostgreSQL an exact filter is JSON containment (`custom_fields @> '{"key": v}'`),
which the GIN index on (account_id, custom_fields jsonb_path_ops) of each record
table answers (lib/json_indexes.py); SQLite compares the extracted key instead.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import CharField, F, Func
from django.db.models.fields.json import KeyTransform

from customfields.models import CustomFieldDefinition
from customfields.values import DATE_PATTERN, coerce_custom_value

PREFIX = "cf_"
RANGES = ("gte", "lte")
RANGED_TYPES = (CustomFieldDefinition.Type.NUMBER, CustomFieldDefinition.Type.DATE)
COLUMN = "custom_fields"


class JSONKeyType(Func):
    """The JSON type of one key of a JSON column, as PostgreSQL names it ("number",
    "string", "boolean", "null"; SQL NULL when the key is absent), on both databases."""

    output_field = CharField()

    def __init__(self, column: str, key: str):
        self.key = key
        super().__init__(F(column))

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"jsonb_typeof({sql} -> %s)", (*params, self.key)

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        kind = f"json_type({sql}, %s)"
        return (
            f"(CASE {kind} WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' "
            f"WHEN 'text' THEN 'string' WHEN 'true' THEN 'boolean' "
            f"WHEN 'false' THEN 'boolean' ELSE {kind} END)",
            (*params, f'$."{self.key}"', *params, f'$."{self.key}"'),
        )


def custom_field_params(params) -> bool:
    """Whether the query parameters filter or order on custom fields (so a list
    without them never loads the definitions)."""
    if any(name.startswith(PREFIX) for name in params):
        return True
    return any(term.lstrip("-").startswith(PREFIX) for term in _ordering_terms(params))


def filter_by_custom_fields(queryset, definitions, params, *, ordering_fields=()):
    """`queryset` filtered and ordered by the `cf_` parameters of `params` (a
    QueryDict or dict) against `definitions` (`values.definitions_for`). An
    `ordering` naming a `cf_` key replaces the queryset's order (its other terms
    are kept when listed in `ordering_fields`), ending on the id. ValidationError,
    by parameter, for an unknown key, a value of the wrong type, or a range on a
    type other than number and date. No query of its own."""
    by_key = {d.key: d for d in definitions}
    errors: dict[str, list[str]] = {}
    for name in sorted(params):
        if not name.startswith(PREFIX):
            continue
        key, _, lookup = name[len(PREFIX) :].partition("__")
        definition = by_key.get(key)
        if definition is None:
            errors[name] = [f"No custom field “{key}” is defined."]
            continue
        if lookup and lookup not in RANGES:
            errors[name] = [f"Use {PREFIX}{key}, {PREFIX}{key}__gte or {PREFIX}{key}__lte."]
            continue
        if lookup and definition.type not in RANGED_TYPES:
            errors[name] = [
                f"“{key}” is a {definition.type} field: ranges are for numbers and dates."
            ]
            continue
        for text in _values(params, name):
            if text.strip() == "":
                continue
            try:
                value = coerce_custom_value(definition, text)
            except ValidationError as exc:
                errors[name] = exc.message_dict["custom_fields"]
                break
            queryset = _filtered(queryset, definition, lookup, value)
    ordering, ordering_errors = _ordering(params, by_key, ordering_fields)
    if ordering_errors:
        errors["ordering"] = ordering_errors
    if errors:
        raise ValidationError(errors)
    if ordering:
        queryset = queryset.order_by(*ordering)
    return queryset


def _values(params, name) -> list[str]:
    if hasattr(params, "getlist"):
        return [str(v) for v in params.getlist(name)]
    value = params[name]
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _filtered(queryset, definition, lookup: str, value):
    key = definition.key
    if not lookup:
        if connection.vendor == "postgresql":
            # Containment, which the GIN (account_id, custom_fields jsonb_path_ops)
            # index answers. (Its account column matches only a bigint, and the
            # driver sends a small id as a smallint: the account is then checked on
            # the rows found, which for a large account is faster than narrowing
            # the index by it, and the planner reads a small account's rows
            # through its btree indexes instead.)
            return queryset.filter(**{f"{COLUMN}__contains": {key: value}})
        # Explicit lookups on the key expression: a key named like a lookup
        # ("contains") stays a key.
        return queryset.alias(**{f"_cf_{key}": KeyTransform(key, COLUMN)}).filter(
            **{f"_cf_{key}__exact": value}
        )
    alias = f"_cf_{key}"
    kind = f"_cf_{key}_type"
    queryset = queryset.alias(**{alias: KeyTransform(key, COLUMN), kind: JSONKeyType(COLUMN, key)})
    if definition.type == CustomFieldDefinition.Type.NUMBER:
        # Only numbers: JSON orders every boolean above and every string below them.
        queryset = queryset.filter(**{kind: "number"})
    else:
        # Only dates: any other stored string would sort among them.
        queryset = queryset.filter(
            **{kind: "string", f"{alias}__regex": DATE_PATTERN.pattern.replace("\\Z", "$")}
        )
    return queryset.filter(**{f"{alias}__{lookup}": value})


def _ordering_terms(params) -> list[str]:
    raw = params.get("ordering") if hasattr(params, "get") else None
    if not raw:
        return []
    return [term.strip() for term in str(raw).split(",") if term.strip()]


def _ordering(params, by_key, ordering_fields):
    """The order_by() terms when `ordering` names a custom field, else []."""
    terms = _ordering_terms(params)
    if not any(term.lstrip("-").startswith(PREFIX) for term in terms):
        return [], []
    ordering, errors = [], []
    for term in terms:
        descending = term.startswith("-")
        name = term.lstrip("-")
        if name.startswith(PREFIX):
            key = name[len(PREFIX) :]
            if key not in by_key:
                errors.append(f"No custom field “{key}” is defined.")
                continue
            expression = KeyTransform(key, COLUMN)
            # Records without a value come last in both directions.
            ordering.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        elif name in ordering_fields:
            ordering.append(term)
    if not any(isinstance(t, str) and t.lstrip("-") in ("id", "pk") for t in ordering):
        ordering.append("-id" if terms[0].startswith("-") else "id")
    return ordering, errors
