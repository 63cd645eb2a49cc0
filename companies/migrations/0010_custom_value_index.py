from django.db import migrations

from accounts import custom_values


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_customvalue"),
        ("companies", "0009_custom_fields_index"),
    ]

    operations = [custom_values.operation("companies_company")]
