"""What makes two companies look like one: the keys stored on each row for finding
duplicates (companies/duplicates.py), computed here and nowhere else.

- `name_key`: the name without case, accents, punctuation or legal suffixes
  ("Acme, Inc." / "ACME Ltd" / "Acme GmbH & Co. KG" → "acme").
- `domain_root`: the registrable domain of `domain` under the Public Suffix List
  (`eu.acme.com` → `acme.com`, `shop.acme.co.uk` → `acme.co.uk`; a private suffix
  such as `github.io` counts as a suffix, so two GitHub Pages sites stay apart). The
  list is the snapshot bundled with the `publicsuffixlist` package: never fetched.
"""

from __future__ import annotations

from functools import cache

from publicsuffixlist import PublicSuffixList

from lib.duplicate_reasons import Reasons
from lib.name_keys import fold_words

# The contract's reasons for companies and their scores (lib/duplicate_reasons.py):
# a shared registrable domain is nearly proof; a shared name, a strong hint.
COMPANY_REASONS = Reasons({"domain_root": 90, "name": 70})

# Legal forms, as `fold_words` spells them (dots gone, lower case). Only trailing words
# are dropped, so "Limited Brands" keeps "limited" and "Co-op Bank" its "co".
LEGAL_SUFFIXES = frozenset(
    {
        # English
        "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited",
        "llc", "llp", "lp", "plc", "pllc", "pc", "pty", "pte", "group", "holdings",
        # German, Austrian, Swiss
        "gmbh", "ag", "kg", "kgaa", "ohg", "ug", "ev", "eg", "se",
        # French, Spanish, Portuguese, Italian
        "sa", "sas", "sasu", "sarl", "eurl", "snc", "sl", "slu", "sau", "lda", "ltda",
        "spa", "srl", "sapa", "scarl",
        # Dutch, Belgian, Nordic
        "bv", "nv", "vof", "cv", "bvba", "ab", "as", "asa", "oy", "oyj", "aps", "hf",
        # Elsewhere
        "kk", "kft", "zrt", "sro", "spzoo", "zoo", "sp", "doo", "ad", "ooo", "pvt",
        "bhd", "sdn", "tbk", "cia",
    }
)  # fmt: skip


def company_name_key(name: str | None) -> str:
    """The name as duplicates compare it: folded words, trailing legal forms dropped
    (and an "and" left dangling by them, as in "GmbH & Co. KG"). A name made only of
    legal words ("Holdings Ltd") keeps them, so it is not the same as every other."""
    words = fold_words(name)
    kept = list(words)
    while kept and (kept[-1] in LEGAL_SUFFIXES or (kept[-1] == "and" and kept != words)):
        kept.pop()
    return " ".join(kept or words)


@cache
def _suffixes() -> PublicSuffixList:
    # Parsing the bundled list takes ~50 ms: once per process.
    return PublicSuffixList()


def domain_root(domain: str | None) -> str:
    """The registrable domain of a stored (normalised) domain; "" when there is none
    (no domain, or a bare public suffix such as `co.uk`)."""
    if not domain:
        return ""
    return _suffixes().privatesuffix(domain.lower()) or ""


def backfill_company_keys(connection, *, account_id: int | None = None) -> None:
    """Set `name_key` and `domain_root` of every company (of one account, when given)
    from its name and domain: migrations and the benchmark's generator."""
    from lib.key_backfill import backfill_keys

    backfill_keys(
        connection,
        table="companies_company",
        sources=("name", "domain"),
        keys=("name_key", "domain_root"),
        compute=lambda name, domain: (company_name_key(name)[:200], domain_root(domain)[:253]),
        account_id=account_id,
    )
