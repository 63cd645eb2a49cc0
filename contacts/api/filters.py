from contacts.models import Contact
from lib.api.filters import (
    AllTagsFilter,
    DateTimeFilter,
    IdFilter,
    OwnerFilter,
    SearchFilter,
    UpdatedFilterSet,
)


class ContactFilter(UpdatedFilterSet):
    search = SearchFilter(help_text="Names and email; every word must match: `ali smi`.")
    tag = AllTagsFilter(help_text="Tag name; repeat to require several.")
    company = IdFilter(field_name="company_id", help_text="A company id.")
    owner = OwnerFilter(field_name="owner_id", help_text="A user id, or `me`.")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = Contact
        fields = ["search", "tag", "company", "owner", "created_after", "created_before"]
