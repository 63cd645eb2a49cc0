from django.db import migrations

from accounts import custom_values


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_customvalue"),
        ("contacts", "0012_custom_fields_index"),
    ]

    operations = [custom_values.operation("contacts_contact")]
