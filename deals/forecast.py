"""The weighted forecast: totals per currency and open totals per stage.

Two aggregate queries whatever the number of deals. Sums are never mixed across
currencies. `weighted_value_cents` = Σ value_cents × effective probability / 100
over open deals, summed exactly in the database and rounded once, half up.
"""

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from deals.models import Deal

OPEN = Q(status=Deal.Status.OPEN)
WEIGHTED = F("value_cents") * Coalesce("probability", "stage__probability")


def _round_hundredths(raw) -> int:
    """Σ value×probability is in hundredths of a cent: round to the nearest cent."""
    return (int(raw or 0) + 50) // 100


def _totals(deals) -> list[dict]:
    sums = {}
    for status in Deal.Status.values:
        only = Q(status=status)
        sums[f"{status}_count"] = Count("id", filter=only)
        sums[f"{status}_value_cents"] = Coalesce(Sum("value_cents", filter=only), Value(0))
    rows = (
        deals.order_by()
        .values("currency")
        .annotate(**sums, weighted_raw=Sum(WEIGHTED, filter=OPEN))
        .order_by("currency")
    )
    return [
        {
            "currency": row["currency"],
            "open_count": row["open_count"],
            "open_value_cents": int(row["open_value_cents"]),
            "weighted_value_cents": _round_hundredths(row["weighted_raw"]),
            **{
                f"{status}_{key}": int(row[f"{status}_{key}"])
                for status in ("won", "lost", "abandoned")
                for key in ("count", "value_cents")
            },
        }
        for row in rows
    ]


def _stages(deals) -> list[dict]:
    rows = (
        deals.filter(OPEN)
        .order_by()
        .values("stage", "stage__name", "pipeline", "currency")
        .annotate(
            open_count=Count("id"),
            open_value_cents=Sum("value_cents"),
            weighted_raw=Sum(WEIGHTED),
        )
        .order_by("pipeline__name", "pipeline", "stage__position", "stage", "currency")
    )
    return [
        {
            "stage": row["stage"],
            "name": row["stage__name"],
            "pipeline": row["pipeline"],
            "currency": row["currency"],
            "open_count": row["open_count"],
            "open_value_cents": int(row["open_value_cents"]),
            "weighted_value_cents": _round_hundredths(row["weighted_raw"]),
        }
        for row in rows
    ]


def forecast(deals) -> dict:
    """The forecast of an (already scoped and filtered) deal queryset."""
    return {"totals": _totals(deals), "stages": _stages(deals)}
