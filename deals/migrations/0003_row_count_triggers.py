from django.db import migrations

from accounts import row_counts


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_rowcount"),
        ("deals", "0002_money_currency_field"),
    ]

    operations = [row_counts.operation("deals_deal")]
