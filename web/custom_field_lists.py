"""The account's custom fields on the contacts, companies and deals lists: filters
and columns.

Filters are the API's (`cf_<key>=` exact for every type, `cf_<key>__gte` /
`cf_<key>__lte` for numbers and dates) applied by the same
`customfields.filtering.filter_by_custom_fields`, so a link means the same in the
web app and the API. As the lists' other filters, a bad one is left out and named in
a message; the others still apply.

Columns: the custom fields a user shows as columns, chosen with the list's
"Columns" checkboxes (`columns=<key>`, repeated, with `columns_set=1` so that
none is a choice too) and remembered in the session per record type, as the board
remembers its pipeline.

Counts: a list filtered by one value of one custom field counts exactly, from the
trigger-kept index of values (accounts/custom_values.py). Other custom field filters
(ranges, several fields) count no further than COUNT_CAP rows past the page
("1,000+"): their exact count visits every match in the table (lib/paginator.py).

Queries: one (the definitions), whatever the number of rows or columns.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import QueryDict

from customfields.filtering import PREFIX, RANGED_TYPES, filter_by_custom_fields
from customfields.values import definitions_for
from lib.paginator import CappedCountPaginator
from web.custom_field_display import format_custom_value

SESSION_COLUMNS = "list_columns"
RANGE_WORDS = {"": "", "gte": " from", "lte": " to"}
# Rows counted past the start of the page; at SCALE=1 counting 1,001 of 100,000
# `source=web` contacts takes 1-30 ms, counting them all 160-260 ms (docs/benchmarks.md).
COUNT_CAP = 1000


class CustomFieldListMixin:
    """For a RecordListView: list it before the view's base class and name the
    `custom_field_record_type`; the template includes web/_custom_field_list_tools.html
    in its filter form and reads `custom_columns` and each row's `custom_cells`."""

    custom_field_record_type = ""

    @property
    def custom_definitions(self) -> list:
        if not hasattr(self, "_custom_definitions"):
            self._custom_definitions = definitions_for(
                self.request.account, self.custom_field_record_type
            )
        return self._custom_definitions

    def custom_filter_params(self) -> QueryDict:
        """The request's `cf_` parameters that have a value."""
        params = QueryDict(mutable=True)
        for name in self.request.GET:
            values = [v for v in self.request.GET.getlist(name) if v.strip()]
            if name.startswith(PREFIX) and values:
                params.setlist(name, values)
        return params

    def narrow(self, queryset):
        """`queryset` through each `cf_` filter of the request; a bad one is left out
        and comes back as a message ("Score from: “score” must be a number.")."""
        queryset, errors = super().narrow(queryset)
        params = self.custom_filter_params()
        if not params:
            return queryset, errors
        definitions = self.custom_definitions
        labels = {d.key: d.label for d in definitions}
        for name in sorted(params):
            one = QueryDict(mutable=True)
            one.setlist(name, params.getlist(name))
            try:
                queryset = filter_by_custom_fields(queryset, definitions, one)
            except ValidationError as exc:
                key, _, lookup = name[len(PREFIX) :].partition("__")
                label = labels.get(key, key) + RANGE_WORDS.get(lookup, "")
                for message in exc.message_dict.get(name, exc.messages):
                    errors.append(f"{label}: {message}")
        return queryset, errors

    def get_paginator(self, queryset):
        """With a custom field filter, a paginator that counts at most COUNT_CAP rows
        past the page; without one, the list's own (its count is index-only)."""
        if not self.custom_filter_params():
            return super().get_paginator(queryset)
        return CappedCountPaginator(
            queryset, self.page_size, cap=COUNT_CAP, number=self.request.GET.get("page")
        )

    def custom_columns(self) -> list:
        """The definitions shown as columns: the ones just chosen (remembered), else
        the ones remembered, among those still defined."""
        session = self.request.session
        remembered = session.get(SESSION_COLUMNS) or {}
        record_type = self.custom_field_record_type
        if self.request.GET.get("columns_set"):
            keys = [k for k in self.request.GET.getlist("columns") if isinstance(k, str)][:100]
            defined = {d.key for d in self.custom_definitions}
            remembered = {**remembered, record_type: [k for k in keys if k in defined]}
            session[SESSION_COLUMNS] = remembered
        chosen = set(remembered.get(record_type) or [])
        return [d for d in self.custom_definitions if d.key in chosen]

    def custom_field_context(self, rows) -> dict:
        """What the template needs: the filters' current values, the column choices,
        the columns, and each row's `custom_cells` (set here)."""
        columns = self.custom_columns()
        for row in rows:
            values = row.custom_fields or {}
            row.custom_cells = [format_custom_value(d, values.get(d.key)) for d in columns]
        params = self.custom_filter_params()
        shown = {d.key for d in columns}
        filters = []
        for definition in self.custom_definitions:
            name = f"{PREFIX}{definition.key}"
            filters.append(
                {
                    "definition": definition,
                    "name": name,
                    "value": params.get(name, ""),
                    "ranged": definition.type in RANGED_TYPES,
                    "gte": params.get(f"{name}__gte", ""),
                    "lte": params.get(f"{name}__lte", ""),
                }
            )
        return {
            "custom_columns": columns,
            "custom_filters": filters,
            "custom_filters_active": bool(params),
            "column_choices": [
                {"key": d.key, "label": d.label, "shown": d.key in shown}
                for d in self.custom_definitions
            ],
        }
