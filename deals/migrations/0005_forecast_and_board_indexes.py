from django.db import migrations, models


class Migration(migrations.Migration):
    """The forecast's grouped pass and the board's first cards per column as index-only
    scans (see Deal.Meta.indexes). deal_forecast begins with deal_by_stage's columns, so
    it replaces it. A plain CREATE INDEX: it blocks writes to deals while it builds
    (under a second per index at 200,000 deals)."""

    dependencies = [
        ("deals", "0004_restrict_not_protect"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="deal",
            name="deal_by_stage",
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                fields=["account", "status", "pipeline", "stage", "currency", "probability"],
                include=("value_cents", "owner", "closed_at"), name="deal_forecast",
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                fields=["account", "status", "pipeline", "stage", "expected_close_date",
                        "-created_at", "-id"],
                include=("owner",), name="deal_board",
            ),
        ),
    ]
