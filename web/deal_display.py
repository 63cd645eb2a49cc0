"""How deals read on any page: a card's or a row's formatted value, and the open and
won totals of a set of deals (a company's, a pipeline's)."""

from deals.forecast import forecast
from web.formatting import format_money


def decorate_deal(deal) -> None:
    """Give a deal its formatted value (`deal.amount`), for cards and tables."""
    deal.amount = format_money(deal.value_cents, deal.currency)


def deal_summary(deals) -> list[dict]:
    """Open and won totals per currency of a deal queryset (two aggregate queries)."""
    return [
        {
            "currency": t["currency"],
            "open_count": t["open_count"],
            "open_value": format_money(t["open_value_cents"], t["currency"]),
            "weighted": format_money(t["weighted_value_cents"], t["currency"]),
            "won_count": t["won_count"],
            "won_value": format_money(t["won_value_cents"], t["currency"]),
        }
        for t in forecast(deals)["totals"]
    ]
