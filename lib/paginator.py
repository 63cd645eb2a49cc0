"""Paginators for the lists.

DeferredJoinPaginator: a Paginator whose deep pages find their rows through the index
first. `ORDER BY … LIMIT 20 OFFSET 40000` reads 40,020 whole rows from the table to
keep 20. Past the first pages this asks for the page's ids alone (the list's ordering
index answers that without touching the table: an index-only scan), then loads those
20 rows by primary key: the "deferred join". Still one query, with a subquery.

CappedCountPaginator: the same, with a count that stops `cap` rows past the page asked
for, for filters whose matches no index can count (see its docstring).
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

DEFERRED_FROM = 1000  # rows skipped; below this the plain OFFSET is as fast
EXACT_BEYOND = 2**62  # a capped count this far is an exact one (and fits a bigint)


class DeferredJoinPaginator(Paginator):
    count_is_exact = True

    def _get_page(self, object_list, *args, **kwargs):
        # `object_list` is the page's slice of self.object_list, cut by Paginator.page().
        if (
            isinstance(object_list, QuerySet)
            and object_list.query.low_mark >= DEFERRED_FROM
            and not object_list.query.distinct
            and not object_list.query.combinator
        ):  # a UNION has no rows to join
            object_list = self.object_list.filter(pk__in=object_list.values("pk"))
        return super()._get_page(object_list, *args, **kwargs)

    @property
    def count_shown(self) -> str:
        """The count as a page shows it: "1,234", or "1,000+" when it stopped early."""
        count = self.count  # first: counting sets count_is_exact
        return f"{count:,}" if self.count_is_exact else f"{count - 1:,}+"

    @property
    def num_pages_shown(self) -> str:
        """The number of pages as a page shows it ("41+" when the count stopped early)."""
        pages = self.num_pages  # first: counting sets count_is_exact
        return f"{pages:,}" if self.count_is_exact else f"{pages:,}+"


class CappedCountPaginator(DeferredJoinPaginator):
    """Counts at most `cap` rows past the start of the page asked for (`number`, the
    same value then given to get_page()), so every page knows whether a next one exists
    and the count costs the same for a thousand matches or a million.

    Why: an exact COUNT visits every matching row. A filter on a custom field (JSON
    containment) has no index that can count on its own: the GIN index is lossy and
    each match is re-checked in the table, and PostgreSQL never answers an expression
    index with an index-only scan. At 100,000 matches that is 30,000 table pages, a
    few hundred ms (docs/benchmarks.md, issue 18). Past the cap the count reads
    "1,000+" (`count_shown`) and `count_is_exact` is False. One query, as Paginator's
    count. A queryset whose count is kept (one value of one custom field, counted from
    accounts/custom_values.py's index) is counted exactly instead."""

    def __init__(self, object_list, per_page, *, cap: int, number=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap
        try:
            self.asked = max(1, int(number))
        except (TypeError, ValueError):
            self.asked = 1  # get_page() shows the first page for these too

    @cached_property
    def count(self):
        kept_count = getattr(self.object_list, "kept_count", None)
        kept = kept_count() if kept_count is not None else None
        if kept is not None:  # exact and cheap (accounts/custom_values.py)
            self.count_is_exact = True
            return kept
        # A page number past any table (the fuzz sends 10^20) would overflow SQL's
        # bigint LIMIT: such a count has nothing to stop early for and is exact.
        limit = min((self.asked - 1) * self.per_page + self.cap + 1, EXACT_BEYOND)
        counted = self.object_list.order_by()[:limit].count()
        self.count_is_exact = counted < limit
        return counted
