"""Fill the duplicate keys of existing companies, in batches, then index them."""

from django.db import migrations, models

from companies.matching_keys import backfill_company_keys


def backfill(apps, schema_editor):
    backfill_company_keys(schema_editor.connection)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("companies", "0006_duplicate_keys_pairs_and_scans")]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="company",
            index=models.Index(
                condition=models.Q(("name_key", ""), _negated=True),
                fields=["account", "name_key"],
                name="company_by_name_key",
            ),
        ),
        migrations.AddIndex(
            model_name="company",
            index=models.Index(
                condition=models.Q(("domain_root", ""), _negated=True),
                fields=["account", "domain_root"],
                name="company_by_domain_root",
            ),
        ),
    ]
