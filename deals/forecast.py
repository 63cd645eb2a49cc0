"""The weighted forecast: totals per currency and open totals per stage.

One grouped pass over the deals, with no join: a count and Σ value_cents per
(status, pipeline, stage, currency, deal probability), a few hundred groups at most,
which the `deal_forecast` index answers by an index-only scan. Then, only when some
deals are open, one small query for their stages (probability, name and order). The
rest is folded here. Sums are never mixed across currencies.
`weighted_value_cents` = Σ value_cents × effective probability / 100 over open deals,
summed exactly (Python integers) and rounded once, half up.
"""

from django.db.models import Count, Sum

from deals.models import Deal, Stage

# In the order of the `deal_forecast` index, so the groups can come out of it sorted.
# `account` is constant within one account's deals; it scopes the stage query.
GROUP_BY = ("account", "status", "pipeline", "stage", "currency", "probability")
CLOSED_KEYS = tuple(
    f"{status}_{key}" for status in ("won", "lost", "abandoned") for key in ("count", "value_cents")
)


def _round_hundredths(raw) -> int:
    """Σ value×probability is in hundredths of a cent: round to the nearest cent."""
    return (int(raw or 0) + 50) // 100


def _groups(deals) -> list[dict]:
    """One query. COUNT(*) rather than COUNT(id): the index holds no id."""
    return list(
        deals.order_by()  # the default ordering would join the GROUP BY
        .values(*GROUP_BY)
        .annotate(deal_count=Count("*"), sum_cents=Sum("value_cents"))
    )


def _open_stages(groups) -> dict:
    """The stages of the open groups, by id, each with its `rank` in the forecast's
    order (pipeline name, pipeline, position, id). One query; none without open deals."""
    open_groups = [g for g in groups if g["status"] == Deal.Status.OPEN]
    if not open_groups:
        return {}
    rows = (
        Stage.objects.for_accounts({g["account"] for g in open_groups})
        .filter(pk__in={g["stage"] for g in open_groups})
        .order_by("pipeline__name", "pipeline", "position", "id")  # the database's collation
        .values("id", "name", "probability")
    )
    return {row["id"]: {**row, "rank": rank} for rank, row in enumerate(rows)}


def _weighted_raw(group, stages) -> int:
    """Σ value × effective probability of an open group, in hundredths of a cent."""
    probability = group["probability"]
    if probability is None:
        probability = stages[group["stage"]]["probability"]
    return int(group["sum_cents"]) * probability


def _totals(groups, stages) -> list[dict]:
    totals = {}
    for group in groups:
        total = totals.setdefault(
            group["currency"],
            dict.fromkeys(("open_count", "open_value_cents", "weighted_raw", *CLOSED_KEYS), 0),
        )
        total[f"{group['status']}_count"] += group["deal_count"]
        total[f"{group['status']}_value_cents"] += int(group["sum_cents"])
        if group["status"] == Deal.Status.OPEN:
            total["weighted_raw"] += _weighted_raw(group, stages)
    return [
        {
            "currency": currency,
            "open_count": total["open_count"],
            "open_value_cents": total["open_value_cents"],
            "weighted_value_cents": _round_hundredths(total["weighted_raw"]),
            **{key: total[key] for key in CLOSED_KEYS},
        }
        for currency, total in sorted(totals.items())
    ]


def _stages(groups, stages) -> list[dict]:
    rows = {}
    for group in groups:
        if group["status"] != Deal.Status.OPEN:
            continue
        key = (stages[group["stage"]]["rank"], group["pipeline"], group["currency"])
        row = rows.setdefault(
            key,
            {
                "stage": group["stage"],
                "name": stages[group["stage"]]["name"],
                "pipeline": group["pipeline"],
                "currency": group["currency"],
                "open_count": 0,
                "open_value_cents": 0,
                "weighted_raw": 0,
            },
        )
        row["open_count"] += group["deal_count"]
        row["open_value_cents"] += int(group["sum_cents"])
        row["weighted_raw"] += _weighted_raw(group, stages)
    for row in rows.values():
        row["weighted_value_cents"] = _round_hundredths(row.pop("weighted_raw"))
    return [rows[key] for key in sorted(rows)]


def forecast(deals) -> dict:
    """The forecast of an (already scoped and filtered) deal queryset: one query, and a
    second for the stages when some of the deals are open."""
    groups = _groups(deals)
    stages = _open_stages(groups)
    return {"totals": _totals(groups, stages), "stages": _stages(groups, stages)}
