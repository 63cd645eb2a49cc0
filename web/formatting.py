"""How the UI writes amounts of money: one way, on every page."""

from decimal import ROUND_HALF_UP, Decimal


def format_money(cents: int, currency: str, *, whole: bool = False) -> str:
    """`1234550, "USD"` → "12,345.50 USD"; whole amounts drop the cents ("12,300 USD"),
    and `whole=True` rounds to units for totals and charts. Never mixes currencies:
    callers format each currency's sum on its own."""
    amount = Decimal(int(cents)) / 100
    if whole:
        return f"{amount.quantize(Decimal(1), rounding=ROUND_HALF_UP):,} {currency}"
    text = f"{amount:,.2f}"
    return f"{text.removesuffix('.00')} {currency}"
