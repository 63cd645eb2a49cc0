"""The agenda's filters: the API's `ActivityFilter` (activities/filters.py), as the page
offers it: one type at a time, the owner as "" (me, the default), `all`, `none` or a
member's id, and the tab (the view splits the list by tab)."""

import django_filters

from activities.filters import ActivityFilter
from activities.models import Activity
from lib.ids import parse_id
from web.activity_rows import TABS


class AgendaFilter(ActivityFilter):
    tab = django_filters.ChoiceFilter(choices=TABS, method="every_tab")
    type = django_filters.ChoiceFilter(choices=Activity.Type.choices, empty_label="All types")
    owner = django_filters.ChoiceFilter(choices=[], empty_label=None, method="filter_owner")

    class Meta(ActivityFilter.Meta):
        fields = ["tab", *ActivityFilter.Meta.fields]

    def __init__(self, data=None, *args, members, **kwargs):
        super().__init__(data, *args, **kwargs)
        me = self.request.user
        self.filters["owner"].extra["choices"] = [
            ("", "Me"),
            ("all", "Everyone"),
            ("none", "Unassigned"),
            *[(str(m.pk), m.get_full_name() or m.username) for m in members if m.pk != me.pk],
        ]

    def value(self, name):
        """The cleaned value, or the default ("") when that parameter was bad."""
        self.is_valid()  # cleaned_data keeps the fields that were valid
        return self.form.cleaned_data.get(name) or ""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.value("owner") == "":  # none chosen, or not one of the choices
            queryset = queryset.filter(owner=self.request.user)
        return queryset

    def filter_owner(self, queryset, name, value):
        if value == "all":
            return queryset
        if value == "none":
            return queryset.filter(owner__isnull=True)
        return queryset.filter(owner_id=parse_id(value))

    def every_tab(self, queryset, name, value):
        return queryset
