"""Validation of the free-form `custom_fields` object on contacts and companies."""

import math

from django.core.exceptions import ValidationError

MAX_KEYS = 100
MAX_KEY_LENGTH = 100
MAX_STRING_LENGTH = 2_000


def validate_custom_fields(value) -> None:
    """A JSON object of string keys to a string, a finite number, a boolean or null."""
    if not isinstance(value, dict):
        raise ValidationError("Must be a JSON object of keys to values.")
    if len(value) > MAX_KEYS:
        raise ValidationError(f"At most {MAX_KEYS} custom fields.")
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise ValidationError(f"Keys must be 1-{MAX_KEY_LENGTH} characters.")
        if "\x00" in key:
            raise ValidationError("Keys must not contain NUL characters.")
        if item is None or isinstance(item, bool):
            continue
        if isinstance(item, int | float):
            if isinstance(item, float) and not math.isfinite(item):
                raise ValidationError(f"“{key}”: numbers must be finite.")
            if isinstance(item, int) and abs(item) > 2**53:
                raise ValidationError(f"“{key}”: integers must be within ±2^53.")
            continue
        if isinstance(item, str):
            if "\x00" in item:
                raise ValidationError(f"“{key}”: text must not contain NUL characters.")
            if len(item) > MAX_STRING_LENGTH:
                raise ValidationError(f"“{key}”: at most {MAX_STRING_LENGTH} characters.")
            continue
        raise ValidationError(f"“{key}”: values must be a string, a number, a boolean or null.")
