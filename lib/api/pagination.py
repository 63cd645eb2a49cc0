from rest_framework import pagination

from lib.paginator import DeferredJoinPaginator


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M`; 20 by default, larger sizes capped at 100."""

    django_paginator_class = DeferredJoinPaginator
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
