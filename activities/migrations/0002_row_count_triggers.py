from django.db import migrations

from accounts import row_counts


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_rowcount"),
        ("activities", "0001_initial"),
    ]

    operations = [row_counts.operation("activities_activity")]
