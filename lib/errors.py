"""Domain errors every app may raise; the API turns them into HTTP answers."""


class StateConflict(Exception):
    """The record's current state forbids this (a transition, a delete): HTTP 409."""
