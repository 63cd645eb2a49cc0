"""Querying likely duplicates, for any record type with reasons (lib/duplicate_reasons.py):
one record's matches, computed live, and the stored pairs of an account."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q

from lib.duplicate_reasons import Reasons


@dataclass(frozen=True)
class Match:
    """One likely duplicate: the other record's id, the score and the reasons."""

    id: int
    score: int
    reasons: list[str]


# Candidates read at most: a number shared by thousands of contacts (a switchboard)
# must not make one look-up read them all. The strongest reasons are read first.
CANDIDATES = 500


def matches_of(queryset, reasons: Reasons, conditions: dict[str, Q], *, limit) -> list[Match]:
    """The rows of `queryset` meeting any of `conditions` (reason name: Q), scored,
    best first (score, then id), at most `limit`. One query, through the indexes the
    conditions name; scored here, not in SQL (a CASE over every combination of
    reasons cost more to build than the query takes to run)."""
    any_reason = Q(pk__in=[])
    for condition in conditions.values():
        any_reason |= condition
    rows = (
        queryset.filter(any_reason)
        .annotate(match_bits=reasons.bits_expression(conditions))
        .order_by("-match_bits", "pk")
        .values_list("pk", "match_bits")[:CANDIDATES]
    )
    found = sorted(
        (Match(id=pk, score=reasons.score(reasons.names(bits)), reasons=reasons.names(bits))
         for pk, bits in rows),
        key=lambda match: (-match.score, match.id),
    )  # fmt: skip
    return found if limit is None else found[:limit]


def pairs_best_first(pairs):
    """Stored pairs, best first, with both records (inner joins, which also leave out
    a pair whose record was deleted since the scan, in the count too)."""
    return (
        pairs.filter(low__account=F("account"), high__account=F("account"))
        .select_related("low", "high")
        .order_by("-score", "low_id", "high_id")
    )
