"""The contacts list's filters and sort: the API's `ContactFilter` (contacts/filters.py)
plus what only the page offers.

The list, its CSV export and the bulk actions' way back all read the same parameters:
`search` (search as you type), `tag` (a tag name), `company` (an id), `owner` (a user
id or `me`, as in the API, or `none`), `company_q` (a company name's start) and `sort`
(`name`, `created`, `updated`, `-` first for descending). A bad value is left out,
as the other lists do. Empty parameters are dropped and `q` is read as `search`
(web/crud.py `list_params`).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

import django_filters

from contacts.filters import ContactFilter
from customfields.filtering import PREFIX as CUSTOM_FIELD_PREFIX
from lib.api.filters import OwnerFilter, UserIdOrMeField
from lib.search import order_hits_by_sorting, search_words

SORTS = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}
DEFAULT_SORT = "name"
# Longer text is cut, not refused: a search box should not fail on a long paste.
TEXT_LIMITS = {"search": 200, "tag": 50, "company_q": 200}


class UserIdMeOrNoneField(UserIdOrMeField):
    def to_python(self, value):
        if (value or "").strip() == "none":
            return "none"
        return super().to_python(value)


class OwnerOrNoneFilter(OwnerFilter):
    """`owner=<user id>`, `me`, or `none` for the unassigned."""

    field_class = UserIdMeOrNoneField

    def filter(self, qs, value):
        if value == "none":
            return qs.filter(owner__isnull=True)
        return super().filter(qs, value)


class ContactListFilter(ContactFilter):
    owner = OwnerOrNoneFilter(field_name="owner_id")
    company_q = django_filters.CharFilter(field_name="company__name", lookup_expr="istartswith")

    class Meta(ContactFilter.Meta):
        fields = [*ContactFilter.Meta.fields, "company_q"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None:
            data = data.copy()
            for name, limit in TEXT_LIMITS.items():
                if name in data:
                    data[name] = data[name].strip()[:limit]
        super().__init__(data, *args, **kwargs)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset).order_by(*SORTS[self.sort])
        if search_words(self.search_text):
            queryset = order_hits_by_sorting(queryset)
        return queryset

    def value(self, name):
        """The cleaned value of a parameter, or None when it is missing or bad."""
        self.is_valid()  # cleaned_data keeps the fields that were valid
        return self.form.cleaned_data.get(name)

    @property
    def search_text(self) -> str:
        # Not `search`: a class attribute of that name would hide the filter.
        return self.value("search") or ""

    @property
    def sort(self) -> str:
        sort = self.data.get("sort") or DEFAULT_SORT
        return sort if sort in SORTS else DEFAULT_SORT


@dataclass(frozen=True)
class ContactFilters:
    """The filters in use, as the page shows and links them."""

    search: str = ""
    tag: str = ""
    company: int | None = None
    company_q: str = ""  # a company name's start, when the account has too many for a menu
    owner: str = ""  # "", "me", "none" or a user id
    sort: str = DEFAULT_SORT
    # The custom field filters (`cf_<key>`, `cf_<key>__gte`, ...) as given, by name:
    # web/custom_field_lists.py applies them, the links carry them.
    custom: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, filterset: ContactListFilter) -> "ContactFilters":
        tags = filterset.value("tag") or []
        owner = filterset.value("owner")
        return cls(
            search=filterset.search_text,
            tag=tags[0].strip() if tags else "",
            company=filterset.value("company"),
            company_q=filterset.value("company_q") or "",
            owner="" if owner is None else str(owner),
            sort=filterset.sort,
            custom=tuple(
                (name, filterset.data[name])
                for name in sorted(filterset.data or {})
                if name.startswith(CUSTOM_FIELD_PREFIX)
            ),
        )

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (the sort does not)."""
        return bool(
            search_words(self.search)
            or self.tag
            or self.company
            or self.company_q
            or self.owner
            or self.custom
        )

    def params(self, **overrides) -> dict:
        values = {
            "search": self.search,
            "tag": self.tag,
            "company": self.company or "",
            "company_q": self.company_q,
            "owner": self.owner,
            "sort": self.sort if self.sort != DEFAULT_SORT else "",
            **dict(self.custom),
        }
        values.update(overrides)
        return {key: value for key, value in values.items() if value not in ("", None)}

    def querystring(self, **overrides) -> str:
        """`?search=...&sort=...` with only the parameters in use ("" when none)."""
        params = self.params(**overrides)
        return "?" + urlencode(params) if params else ""

    def sort_link(self, column: str) -> dict:
        """For a column header: the query string that sorts by it (toggling the
        direction when it is already the sort) and its `aria-sort` value."""
        current = self.sort.lstrip("-") == column
        descending = self.sort.startswith("-")
        if current:
            target = column if descending else f"-{column}"
        else:
            target = f"-{column}" if column in ("created", "updated") else column
        return {
            "query": self.querystring(sort=target if target != DEFAULT_SORT else ""),
            "aria_sort": ("descending" if descending else "ascending") if current else "",
        }
