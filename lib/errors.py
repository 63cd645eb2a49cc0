"""Domain errors every app may raise; the API turns them into HTTP answers."""

from django.core.exceptions import ValidationError


class StateConflict(Exception):
    """The record's current state forbids this (a transition, a delete): HTTP 409."""


class UniqueConflict(ValidationError):
    """A write the database refused on a unique constraint that validation had let
    through: a concurrent request took the name first. A validation error on the
    field the user typed (`{"name": [...]}`), so a form shows it on that field and the
    API answers 400 in its usual shape; the write it interrupted left nothing."""
