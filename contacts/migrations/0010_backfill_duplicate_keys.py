"""Fill the duplicate keys of existing contacts, in batches (not one transaction:
a million rows would hold their locks for the whole run), then index them."""

from django.db import migrations, models

from contacts.matching_keys import backfill_contact_keys


def backfill(apps, schema_editor):
    backfill_contact_keys(schema_editor.connection)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("contacts", "0009_duplicate_keys_and_pairs")]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("name_key", ""), _negated=True),
                fields=["account", "name_key"],
                name="contact_by_name_key",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                condition=models.Q(("phone", ""), _negated=True),
                fields=["account", "phone"],
                name="contact_by_phone",
            ),
        ),
    ]
