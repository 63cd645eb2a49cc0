from django.db import migrations

from accounts import row_counts


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_rowcount"),
        ("contacts", "0004_contact_import"),
    ]

    operations = [row_counts.operation("contacts_contact")]
