"""The currency choice of a deal form: the account's currency first, then the ones its
deals use, then every other active currency (lib/currencies.py) by code."""

from __future__ import annotations

from deals.models import Deal
from lib.currencies import currency_choices_ordered, offered_currency_codes

# "In use": the currencies of the account's latest deals, an index range
# (deal_by_created) of constant cost, where a DISTINCT over every deal of a large
# account reads them all (110 ms at 200k deals).
RECENT_DEALS = 500


def currencies_in_use(account) -> set[str]:
    """The currencies of the account's latest RECENT_DEALS deals (one query)."""
    latest = Deal.objects.for_account(account).order_by("-created_at")[:RECENT_DEALS]
    return set(latest.values_list("currency", flat=True))


def currency_choices(*, account, keep: str | None = None) -> list[tuple[str, str]]:
    """`(code, label)` pairs for a deal of `account`: its own currency, the active ones
    its deals use, then the other active codes by code; `keep` (a deal's current
    code) stays offered even when withdrawn. One query."""
    used = sorted((currencies_in_use(account) & offered_currency_codes()) - {account.currency})
    return currency_choices_ordered([account.currency, *used], keep=keep)
