import django.db.models.functions.datetime
import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def entered_when_created(apps, schema_editor):
    # No record says when an existing deal last changed stage: take its creation, exact
    # for the deals that never moved, one statement for the whole table.
    Deal = apps.get_model("deals", "Deal")
    Deal.objects.update(stage_entered_at=F("created_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("deals", "0006_expected_close_date_calendar_range"),
    ]

    operations = [
        migrations.AddField(
            model_name="deal",
            name="stage_entered_at",
            field=models.DateTimeField(default=django.utils.timezone.now,
                                       db_default=django.db.models.functions.datetime.Now()),
        ),
        migrations.RunPython(entered_when_created, migrations.RunPython.noop, elidable=True),
    ]
