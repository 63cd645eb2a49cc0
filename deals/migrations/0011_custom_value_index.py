from django.db import migrations

from accounts import custom_values


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_customvalue"),
        ("deals", "0010_deal_custom_fields"),
    ]

    operations = [custom_values.operation("deals_deal")]
