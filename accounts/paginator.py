"""A Paginator whose deep pages find their rows through the index first.

`ORDER BY … LIMIT 20 OFFSET 40000` reads 40,020 whole rows from the table to keep 20.
Past the first pages this asks for the page's ids alone (the list's ordering index
answers that without touching the table: an index-only scan), then loads those 20
rows by primary key: the "deferred join". Still one query, with a subquery.
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet

DEFERRED_FROM = 1000  # rows skipped; below this the plain OFFSET is as fast


class DeferredJoinPaginator(Paginator):
    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list
        if (bottom >= DEFERRED_FROM and isinstance(rows, QuerySet) and not rows.query.distinct
                and not rows.query.combinator):  # a UNION (timelines) has no rows to join
            ids = rows.values("pk")[bottom:top]
            return self._get_page(rows.filter(pk__in=ids), number, self)
        return self._get_page(rows[bottom:top], number, self)
