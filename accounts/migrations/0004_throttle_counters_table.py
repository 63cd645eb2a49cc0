"""The table behind the "throttles" cache (crm_project/settings.py): rate-limit counters
shared by every worker process. Created here so that `migrate` is all a fresh machine
needs; Django's own createcachetable builds it."""

from django.core.management import call_command
from django.db import migrations

TABLE = "throttle_counters"


def create_table(apps, schema_editor):
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias,
                 verbosity=0)


def drop_table(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_rowcount'),
    ]

    operations = [
        migrations.RunPython(create_table, drop_table),
    ]
