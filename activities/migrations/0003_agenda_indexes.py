import datetime

from django.db import migrations, models
from django.db.models.functions import Coalesce

SOMEDAY = models.Value(datetime.datetime(9999, 12, 31, 0, 0, tzinfo=datetime.timezone.utc),
                       output_field=models.DateTimeField())
OPEN_ONLY = models.Q(("status__in", ["pending", "in_progress"]))
DONE_ONLY = models.Q(("status__in", ["completed", "cancelled"]))


class Migration(migrations.Migration):
    """The agenda's and the dashboard's lists and counts as index ranges (see
    Activity.Meta.indexes). A plain CREATE INDEX: it blocks writes to the table while
    it builds (about a second per index at a million activities)."""

    dependencies = [
        ("activities", "0002_row_count_triggers"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(models.F("account"), models.F("owner"),
                               Coalesce("due_at", SOMEDAY), models.F("id"),
                               condition=OPEN_ONLY, include=("due_at", "type"),
                               name="activity_open_by_owner"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(models.F("account"), Coalesce("due_at", SOMEDAY), models.F("id"),
                               condition=OPEN_ONLY, include=("due_at", "type"),
                               name="activity_open_by_due"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(models.F("account"), models.F("owner"),
                               Coalesce("completed_at", "updated_at"), models.F("id"),
                               condition=DONE_ONLY, include=("type",),
                               name="activity_done_by_owner"),
        ),
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(models.F("account"), Coalesce("completed_at", "updated_at"),
                               models.F("id"), condition=DONE_ONLY, include=("type",),
                               name="activity_done_by_time"),
        ),
    ]
