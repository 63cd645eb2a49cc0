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


def matches_of(queryset, reasons: Reasons, conditions: dict[str, Q], *, limit) -> list[Match]:
    """The rows of `queryset` meeting any of `conditions` (reason name: Q), scored,
    best first, at most `limit`. One query, through the indexes the conditions name."""
    any_reason = Q(pk__in=[])
    for condition in conditions.values():
        any_reason |= condition
    rows = (
        queryset.filter(any_reason)
        .annotate(match_bits=reasons.bits_expression(conditions))
        .annotate(match_score=reasons.score_expression("match_bits"))
        .order_by("-match_score", "pk")
        .values_list("pk", "match_score", "match_bits")
    )
    if limit is not None:
        rows = rows[:limit]
    return [Match(id=pk, score=score, reasons=reasons.names(bits)) for pk, score, bits in rows]


def pairs_best_first(pairs):
    """Stored pairs, best first, with both records (inner joins, which also leave out
    a pair whose record was deleted since the scan, in the count too)."""
    return (
        pairs.filter(low__account=F("account"), high__account=F("account"))
        .select_related("low", "high")
        .order_by("-score", "low_id", "high_id")
    )
