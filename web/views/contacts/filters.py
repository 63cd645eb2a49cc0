"""The contacts list's filters and sort, read from the query string.

The list, its CSV export and the bulk actions' way back all read the same parameters:
`q` (search as you type), `tag` (a tag name), `company` (an id), `owner` (a user id,
`me` or `none`) and `sort` (`name`, `created`, `updated`, `-` first for descending).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from lib.ids import parse_id
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


@dataclass(frozen=True)
class ContactFilters:
    q: str = ""
    tag: str = ""
    company: int | None = None
    company_q: str = ""  # a company name's start, when the account has too many for a menu
    owner: str = ""  # "", "me", "none" or a user id
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, params) -> "ContactFilters":
        owner = (params.get("owner") or "").strip()
        if owner not in ("me", "none") and parse_id(owner) is None:
            owner = ""
        sort = params.get("sort") or DEFAULT_SORT
        return cls(
            q=(params.get("q") or "").strip()[:200],
            tag=(params.get("tag") or "").strip()[:50],
            company=parse_id(params.get("company")),
            company_q=(params.get("company_q") or "").strip()[:200],
            owner=owner,
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (the sort does not)."""
        return bool(
            search_words(self.q) or self.tag or self.company or self.company_q or self.owner
        )

    def apply(self, queryset, user):
        """Narrow and order the account's contacts (no query runs here)."""
        if self.tag:
            queryset = queryset.with_tags([self.tag])
        if self.company is not None:
            queryset = queryset.filter(company_id=self.company)
        if self.company_q:
            queryset = queryset.filter(company__name__istartswith=self.company_q)
        if self.owner == "me":
            queryset = queryset.owned_by(user.pk)
        elif self.owner == "none":
            queryset = queryset.filter(owner__isnull=True)
        elif self.owner:
            queryset = queryset.owned_by(parse_id(self.owner))
        queryset = queryset.order_by(*SORTS[self.sort])
        if search_words(self.q):
            queryset = order_hits_by_sorting(queryset.search(self.q))
        return queryset

    def params(self, **overrides) -> dict:
        values = {
            "q": self.q,
            "tag": self.tag,
            "company": self.company or "",
            "company_q": self.company_q,
            "owner": self.owner,
            "sort": self.sort if self.sort != DEFAULT_SORT else "",
        }
        values.update(overrides)
        return {key: value for key, value in values.items() if value not in ("", None)}

    def querystring(self, **overrides) -> str:
        """`?q=...&sort=...` with only the parameters in use ("" when none)."""
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
