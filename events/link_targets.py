"""Writes that link a record to another (a contact's `company`, a deal's `contact`) lock
the linked row against deletion first.

Why: a delete and a write that links to the deleted record can meet. The delete locks
its row (`FOR UPDATE`) and clears what points at it (trash/links.py); the write's
foreign key is checked by PostgreSQL at COMMIT, which then waits for the delete, which
may wait for the write's row: a deadlock, or a violated key, and the write fails with
a 5xx. Taking `FOR KEY SHARE` on the target as the write starts orders them instead:
either the write links first and the delete, waiting, sees the link (and keeps it in
the trash), or the delete goes first and the write finds the target gone: a 409. SQLite
needs nothing: its writing transactions take turns.
"""

from __future__ import annotations

from django.db import models, transaction

from lib.errors import StateConflict


class LinkTargetGone(StateConflict):
    """The record a write links to was deleted meanwhile (HTTP 409)."""


def lock_link_targets(model, account_id: int, values: dict) -> None:
    """Lock, until the transaction ends, the rows of the account's records that the
    foreign keys among `values` (field name: record or id) of a `model` row point at
    (users and the account aside); LinkTargetGone if one is gone. One query per
    linked record."""
    connection = transaction.get_connection()
    if not connection.features.has_select_for_update or connection.vendor != "postgresql":
        return
    for name, value in values.items():
        field = model._meta.get_field(name)
        if not field.many_to_one or field.name == "account":
            continue
        target = value.pk if isinstance(value, models.Model) else value
        related = field.related_model
        if target is None or not any(f.name == "account" for f in related._meta.fields):
            continue
        table = connection.ops.quote_name(related._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT 1 FROM {table} WHERE account_id = %s AND id = %s FOR KEY SHARE",
                [account_id, target],
            )
            if cursor.fetchone() is None:
                raise LinkTargetGone(f"The {field.verbose_name} {target} was deleted meanwhile.")
