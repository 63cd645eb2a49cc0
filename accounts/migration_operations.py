"""Migration operations for PostgreSQL-only database objects.

The model state records them on every database (so makemigrations stays quiet);
the SQL runs only on PostgreSQL, since SQLite has no GIN indexes or tsvector.
"""

from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations


class AddIndexOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


__all__ = ["AddIndexOnPostgres", "BtreeGinExtension"]
