import django_filters

from lib.api.filters import DateTimeFilter, IdFilter, SearchFilter, UpdatedFilterSet
from notes.models import Note


class NoteFilter(UpdatedFilterSet):
    search = SearchFilter(help_text="The body; every word must match as a prefix.")
    # The note's own column: no DISTINCT needed.
    kind = django_filters.MultipleChoiceFilter(choices=Note.Kind.choices, distinct=False)
    contact = IdFilter(field_name="contact_id")
    company = IdFilter(field_name="company_id")
    deal = IdFilter(field_name="deal_id")
    occurred_after = DateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = DateTimeFilter(field_name="occurred_at", lookup_expr="lte")

    class Meta:
        model = Note
        fields = [
            "search",
            "kind",
            "contact",
            "company",
            "deal",
            "occurred_after",
            "occurred_before",
        ]
