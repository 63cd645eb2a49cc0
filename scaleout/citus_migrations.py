"""`migrate` on a database that is already distributed (an upgrade of a Citus install).

Django writes DDL for one PostgreSQL, and two of its habits fail on Citus once the
tables are distributed:

- **Foreign keys.** Django creates a key on `id` alone, from a new table that is still
  local to the coordinator, or to a table that is still local: Citus refuses a key from
  a local table to a distributed one, a key on `id` alone between distributed tables
  (the target's unique key is `(account_id, id)`), and it turns a local table linked to
  a reference table into a "Citus local" table on the spot (which then refuses the new
  table's identity column). So on Citus the schema editor creates no foreign key at all;
  `distribute_schema`, which runs after `migrate`, places the new tables and then
  creates every key the models declare that the database lacks, in the shape Citus
  needs (scaleout/distribution.py).
- **A column added with its CHECK** (`PositiveIntegerField`: `ADD COLUMN n integer
  CHECK (n >= 0)`): Citus wants every constraint named. The column is added bare and
  the check follows as a named constraint, as Django names it on a new table.

Nothing changes on plain PostgreSQL or SQLite: the hooks look for the citus extension
first (once per schema editor).
"""

from __future__ import annotations

from django.db.backends.postgresql.schema import DatabaseSchemaEditor

from scaleout import nodes

_enter = DatabaseSchemaEditor.__enter__
_exit = DatabaseSchemaEditor.__exit__
_add_field = DatabaseSchemaEditor.add_field


def _on_citus(editor) -> bool:
    return getattr(editor, "_relay_citus", False)


def _citus_enter(self):
    self._relay_citus = nodes.has_extension(self.connection)
    if self._relay_citus:
        # An instance attribute over the class default, for this editor's lifetime only.
        self.connection.features.supports_foreign_keys = False
    return _enter(self)


def _citus_exit(self, exc_type, exc_value, traceback):
    try:
        return _exit(self, exc_type, exc_value, traceback)
    finally:
        if _on_citus(self):
            self.connection.features.__dict__.pop("supports_foreign_keys", None)


def _citus_add_field(self, model, field):
    check = field.db_parameters(connection=self.connection)["check"]
    if not _on_citus(self) or not check:
        return _add_field(self, model, field)
    inline, self.sql_check_constraint = self.sql_check_constraint, ""
    try:
        _add_field(self, model, field)
    finally:
        self.sql_check_constraint = inline
    name = self._create_index_name(model._meta.db_table, [field.column], suffix="_check")
    self.execute(self._create_check_sql(model, name, check))


def install() -> None:
    DatabaseSchemaEditor.__enter__ = _citus_enter
    DatabaseSchemaEditor.__exit__ = _citus_exit
    DatabaseSchemaEditor.add_field = _citus_add_field
