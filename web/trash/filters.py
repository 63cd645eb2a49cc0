"""The trash page's filter: the record type (singular, as the API's `type`)."""

import django_filters

from events.models import RECORD_TYPES
from trash.models import TrashedRecord

TYPE_LABELS = {
    "contact": "Contacts",
    "company": "Companies",
    "deal": "Deals",
    "activity": "Activities",
    "note": "Notes",
}
assert set(TYPE_LABELS) == set(RECORD_TYPES), "name every record type"


class TrashFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        field_name="record_type", choices=[(t, TYPE_LABELS[t]) for t in RECORD_TYPES]
    )

    class Meta:
        model = TrashedRecord
        fields = ["type"]
