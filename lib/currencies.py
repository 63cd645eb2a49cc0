"""The currencies a price can be written in today.

ISO 4217 keeps withdrawn codes (ADP, the Andorran peseta; DEM...) beside the active
ones, and djmoney's CURRENCY_CHOICES offers all 307. The active ones come from CLDR,
as the Babel package (already behind djmoney, through py-moneyed) ships it: a code is
active when it is legal tender in some territory today. Funds, metals and test codes
(XAU, XDR, XTS...) are not tender anywhere, so they are left out too: nobody sells
in them. Babel's releases follow CLDR's, so a newly introduced or withdrawn currency
arrives with an upgrade, never with an edit here.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from babel.core import get_global
from babel.numbers import get_currency_name, get_territory_currencies
from djmoney.settings import CURRENCY_CHOICES


@lru_cache(maxsize=4)
def active_currency_codes(day: dt.date | None = None) -> frozenset[str]:
    """The codes that are legal tender in at least one territory on `day` (today)."""
    day = day or dt.date.today()
    return frozenset(
        code
        for territory in get_global("territory_currencies")
        for code in get_territory_currencies(territory, start_date=day, end_date=day, tender=True)
    )


def currency_label(code: str) -> str:
    """ "EUR · Euro": the code people know, then its English name."""
    return f"{code} · {get_currency_name(code, locale='en')}"


def offered_currency_codes() -> frozenset[str]:
    """The active codes that the models' currency fields accept (djmoney's list, which
    may lag behind CLDR by a code or two: XCG and ZWG in 2025)."""
    return active_currency_codes() & frozenset(code for code, _name in CURRENCY_CHOICES)


def currency_choices_ordered(first: list[str], *, keep: str | None = None) -> list[tuple[str, str]]:
    """`(code, label)` pairs: the codes of `first` in that order, then `keep` (a record's
    current code, offered even when withdrawn, so that saving an old record never
    refuses or changes it), then every other offered code by code."""
    shown = list(dict.fromkeys([*first, *([keep] if keep else [])]))
    rest = sorted(offered_currency_codes() - set(shown))
    return [(code, currency_label(code)) for code in [*shown, *rest]]
