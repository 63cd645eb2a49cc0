"""customfields/values.py: what a defined key's value must be, and reading typed values
from form and CSV text, shared by every face."""

import pytest
from django.core.exceptions import ValidationError

from customfields.models import CustomFieldDefinition
from customfields.values import (
    changed_values,
    coerce_custom_value,
    definitions_for,
    validate_custom_values,
)

Type = CustomFieldDefinition.Type


def definition(key="score", type=Type.NUMBER, options=(), required=False):
    return CustomFieldDefinition(
        record_type="contact",
        key=key,
        label=key,
        type=type,
        options=list(options),
        required=required,
    )


SOURCE = definition("source", Type.SELECT, options=["web", "referral"])

VALID = [
    (definition("note", Type.TEXT), "hello"),
    (definition("note", Type.TEXT), "x" * 1000),
    (definition(), 5),
    (definition(), -2.5),
    (definition(), 0),
    (definition("ok", Type.BOOLEAN), True),
    (definition("ok", Type.BOOLEAN), False),
    (definition("due", Type.DATE), "2026-02-28"),
    (SOURCE, "web"),
]
INVALID = [
    (definition("note", Type.TEXT), 5),
    (definition("note", Type.TEXT), "x" * 1001),
    (definition("note", Type.TEXT), ["a"]),
    (definition(), "5"),
    (definition(), True),
    (definition(), 2**53 + 1),
    (definition(), float("inf")),
    (definition("ok", Type.BOOLEAN), 1),
    (definition("ok", Type.BOOLEAN), "true"),
    (definition("due", Type.DATE), "2026-02-30"),
    (definition("due", Type.DATE), "28/02/2026"),
    (definition("due", Type.DATE), "2026-2-8"),
    (definition("due", Type.DATE), 20260228),
    (SOURCE, "Web"),
    (SOURCE, "ads"),
    (SOURCE, 1),
]


@pytest.mark.parametrize(("field", "value"), VALID)
def test_a_value_that_fits_its_type_passes(field, value):
    values = {field.key: value}
    assert validate_custom_values(definitions=[field], values=values, creating=True) == values


@pytest.mark.parametrize(("field", "value"), INVALID)
def test_a_value_of_the_wrong_type_is_an_error_naming_the_key(field, value):
    with pytest.raises(ValidationError) as caught:
        validate_custom_values(definitions=[field], values={field.key: value}, creating=False)
    (message,) = caught.value.message_dict["custom_fields"]
    assert f"“{field.key}”" in message


@pytest.mark.parametrize("field", [field for field, _value in VALID])
def test_null_fits_every_type(field):
    validate_custom_values(definitions=[field], values={field.key: None}, creating=False)


def test_a_required_key_must_be_present_and_not_null_on_create_only():
    required = definition(required=True)
    for values in ({}, {"score": None}):
        with pytest.raises(ValidationError, match="score"):
            validate_custom_values(definitions=[required], values=values, creating=True)
        validate_custom_values(definitions=[required], values=values, creating=False)


def test_keys_without_a_definition_pass_as_they_are():
    values = {"anything": [1, 2], "score": 3}
    assert validate_custom_values(definitions=[definition()], values=values, creating=True)


def test_every_bad_key_is_named_at_once():
    with pytest.raises(ValidationError) as caught:
        validate_custom_values(
            definitions=[definition(), SOURCE],
            values={"score": "x", "source": "ads"},
            creating=True,
        )
    assert len(caught.value.message_dict["custom_fields"]) == 2


def test_an_update_checks_only_the_keys_it_changes():
    stored = {"score": "legacy text", "source": "web"}
    assert changed_values(stored, {**stored, "source": "referral"}) == {"source": "referral"}
    assert changed_values({"ok": 1}, {"ok": True}) == {"ok": True}


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        (definition(), "42", 42),
        (definition(), " 4.5 ", 4.5),
        (definition(), "-3", -3),
        (definition(), "", None),
        (definition("ok", Type.BOOLEAN), "Yes", True),
        (definition("ok", Type.BOOLEAN), "false", False),
        (definition("ok", Type.BOOLEAN), "0", False),
        (definition("due", Type.DATE), "2026-01-31", "2026-01-31"),
        (SOURCE, "WEB", "web"),
        (SOURCE, "referral", "referral"),
        (definition("note", Type.TEXT), " hi ", "hi"),
    ],
)
def test_coercion_reads_form_and_csv_text_as_typed_json(field, text, value):
    assert coerce_custom_value(field, text) == value
    assert type(coerce_custom_value(field, text)) is type(value)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        (definition(), "abc"),
        (definition(), "nan"),
        (definition(), "inf"),
        (definition("ok", Type.BOOLEAN), "maybe"),
        (definition("due", Type.DATE), "2026-13-01"),
        (SOURCE, "ads"),
    ],
)
def test_coercion_of_unreadable_text_is_an_error_naming_the_key(field, text):
    with pytest.raises(ValidationError, match=field.key):
        coerce_custom_value(field, text)


@pytest.mark.django_db
def test_definitions_for_is_one_query_of_one_account_and_type(
    account, other_account, django_assert_num_queries
):
    for acc, record_type, key in [
        (account, "contact", "b"),
        (account, "contact", "a"),
        (account, "deal", "c"),
        (other_account, "contact", "d"),
    ]:
        CustomFieldDefinition.objects.create(
            account=acc, record_type=record_type, key=key, label=key, type="text"
        )
    with django_assert_num_queries(1):
        keys = [d.key for d in definitions_for(account.pk, "contact")]
    assert keys == ["a", "b"]


@pytest.mark.parametrize(
    ("type", "options", "ok"),
    [
        (Type.SELECT, ["a", "b"], True),
        (Type.SELECT, [], False),
        (Type.SELECT, None, False),
        (Type.SELECT, ["a", "a"], False),
        (Type.SELECT, ["a", 1], False),
        (Type.SELECT, [""], False),
        (Type.SELECT, [str(i) for i in range(101)], False),
        (Type.SELECT, [str(i) for i in range(100)], True),
        (Type.TEXT, [], True),
        (Type.TEXT, None, True),
        (Type.NUMBER, ["a"], False),
    ],
)
def test_the_model_says_which_options_fit_its_type(type, options, ok):
    field = definition("k", type)
    field.options = options
    assert (field.options_errors() == []) is ok
