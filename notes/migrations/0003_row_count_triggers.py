from django.db import migrations

from accounts import row_counts


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_rowcount"),
        ("notes", "0002_by_updated"),
    ]

    operations = [row_counts.operation("notes_note")]
