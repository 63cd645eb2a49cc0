"""Rows that remember the values they were read with.

`Model.from_db` is Django's documented hook for this ("Customizing model loading").
The recorded writes (events.recording) use the memory to skip re-reading a row that
has not changed since the caller read it: they lock the row reading only its version
(`updated_at`), and when it is the one remembered, the remembered values are the row
as it stands, whatever the caller has set on its copy since (a ModelForm's validation
writes the submitted values onto its instance).
"""

from __future__ import annotations

import copy


class KeepsLoadedValues:
    """Mixin for a model: `instance._loaded_values`, `{attname: value}` as read."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = {
            name: remembered(value) for name, value in zip(field_names, values, strict=True)
        }
        return instance


def remembered(value):
    """A value to remember: JSON containers copied, so that changing the instance's
    dict in place does not change the memory of it."""
    return copy.deepcopy(value) if isinstance(value, dict | list) else value
