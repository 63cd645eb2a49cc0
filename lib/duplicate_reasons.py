"""Why two records look like one, and how sure that makes us: reasons, their scores
and how several combine. Shared by the live look-ups (contacts/duplicates.py,
companies/duplicates.py) and the account-wide scan, which stores a pair's reasons
as bits (`Reasons.bits`) and its score computed in SQL from them (`score_sql`).

Several reasons combine as independent evidence ("noisy or"): the chance that all of
them are coincidences is the product of each one's, so the score is
`100 × (1 − Π(1 − sᵢ/100))`, rounded down, at most 100, never below the strongest
reason alone: phone (90) and name (50) give 95; name and email domain (85)
and name and company (80) give 97.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

from django.db.models import Case, Q, Value, When


@dataclass(frozen=True)
class Reasons:
    """The reasons of one record type, in the contract's order: `{name: score}`."""

    scores: dict[str, int]

    def bit(self, name: str) -> int:
        """The reason's bit: the first (strongest) reason has the highest, so ordering
        by the bits puts a stronger reason first (look-ups cut their candidates so)."""
        return 1 << (len(self.scores) - 1 - list(self.scores).index(name))

    def bits(self, names) -> int:
        return sum(self.bit(name) for name in set(names))

    def names(self, bits: int) -> list[str]:
        """The reasons set in `bits`, strongest first."""
        found = [name for name in self.scores if bits & self.bit(name)]
        return sorted(found, key=lambda name: -self.scores[name])

    def score(self, names) -> int:
        names = set(names)
        if not names:
            return 0
        unlikely = math.prod(1 - self.scores[name] / 100 for name in names)
        return min(100, math.floor(100 * (1 - unlikely) + 1e-9))

    def combinations(self):
        """Every non-empty set of reasons, as tuples."""
        for size in range(1, len(self.scores) + 1):
            yield from combinations(self.scores, size)

    def score_sql(self, bits_column: str) -> str:
        """A SQL CASE giving the score of every combination of reasons in `bits_column`."""
        cases = " ".join(f"WHEN {self.bits(c)} THEN {self.score(c)}" for c in self.combinations())
        return f"CASE {bits_column} {cases} ELSE 0 END"

    def bits_expression(self, conditions: dict[str, Q]):
        """ORM: the sum of the bits of the reasons whose condition (a Q) holds."""
        total = Value(0)
        for name, condition in conditions.items():
            total = total + Case(When(condition, then=Value(self.bit(name))), default=Value(0))
        return total
