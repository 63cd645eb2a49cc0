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
