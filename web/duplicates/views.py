"""The duplicates pages: the account's likely duplicate pairs (contacts and companies
tabs, best first) with "Scan now" and its progress, two records compared side by
side, and the create forms' look-up of likely duplicates as the user types."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View

from companies.domains import InvalidDomain, normalise_domain
from companies.models import DuplicateScan
from contacts.phones import InvalidPhoneNumber, parse_phone
from contacts.tasks import duplicate_scan_start
from lib.ids import parse_id
from lib.paginator import DeferredJoinPaginator
from web.likely_duplicates import KINDS, reasons_text
from web.tenancy import AccountViewMixin

PAGE_SIZE = 25
SHOWN_WHILE_TYPING = 5


def kind_of(slug: str):
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404("No such record type.")
    return kind


class DuplicateListView(AccountViewMixin, View):
    """GET: the account's pairs of one record type, best first, a page at a time,
    with the latest scan. Queries: the latest scan, the count and the page (both
    records joined)."""

    def get(self, request, kind):
        kind = kind_of(kind)
        account = request.account
        paginator = DeferredJoinPaginator(kind.pairs(account), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        pairs = list(page.object_list)
        for pair in pairs:
            pair.reasons_text = reasons_text(pair.reasons)
        context = {
            "pairs": pairs,
            "kind": kind,
            "kinds": KINDS.values(),
            "page": page,
            "scan": DuplicateScan.objects.for_account(account).latest_of(kind.record_type),
        }
        return render(request, "web/duplicates/list.html", context)


class DuplicateScanView(AccountViewMixin, View):
    """POST: start a scan of the record type (a small account's runs at once; see
    contacts/tasks.py). GET: the scan's progress, the partial the page polls over
    htmx while a scan is queued or running."""

    def post(self, request, kind):
        kind = kind_of(kind)
        duplicate_scan_start(account_id=request.account.pk, record_type=kind.record_type)
        return HttpResponseRedirect(reverse(f"web:{kind.slug}-duplicates"))

    def get(self, request, kind):
        kind = kind_of(kind)
        scan = DuplicateScan.objects.for_account(request.account).latest_of(kind.record_type)
        response = render(request, "web/duplicates/list.html#scan", {"kind": kind, "scan": scan})
        if scan is not None and not scan.is_active and request.htmx:
            response["HX-Refresh"] = "true"  # done: reload the pairs it found
        patch_vary_headers(response, ("HX-Request",))
        return response


class DuplicateCompareView(AccountViewMixin, View):
    """GET: two records of the account side by side, every field, the differing ones
    marked. One query for both (another account's id is a 404)."""

    def pair(self, kind, ids):
        """Both records, in the URL's order, or 404 (one query)."""
        ids = [parse_id(value) for value in ids.values()]
        if None in ids or ids[0] == ids[1]:
            raise Http404("No such pair.")
        self.model = kind.model
        records = {
            r.pk: r for r in self.get_queryset().select_related(*kind.related).filter(pk__in=ids)
        }
        if len(records) != 2:
            raise Http404("No such pair.")
        return records[ids[0]], records[ids[1]]

    def get(self, request, kind, **ids):
        kind = kind_of(kind)
        left, right = self.pair(kind, ids)
        rows = []
        for attribute, label in kind.fields:
            values = (getattr(left, attribute), getattr(right, attribute))
            shown = ["" if v is None else str(v) for v in values]
            rows.append({"label": label, "values": shown, "differ": shown[0] != shown[1]})
        context = {"kind": kind, "left": left, "right": right, "rows": rows}
        return render(request, "web/duplicates/compare.html", context)

    def http_method_not_allowed(self, request, *args, kind, **ids):
        # Another account's record is a 404 whatever the method (see web/tenancy.py).
        self.pair(kind_of(kind), ids)
        return super().http_method_not_allowed(request, *args, kind=kind, **ids)


class DuplicateCheckView(AccountViewMixin, View):
    """GET with the create form's fields: the likely duplicates of a record with those
    values, as a partial under the form (htmx, debounced). It never blocks the save.
    One query (two for contacts with a company)."""

    def get(self, request, kind):
        kind = kind_of(kind)
        params, account = request.GET, request.account
        if kind.slug == "contacts":
            try:
                phone = parse_phone(params.get("phone", ""), account.phone_region)
            except InvalidPhoneNumber:
                phone = ""
            matches = kind.duplicates_of_values(
                account,
                first_name=params.get("first_name", "")[:100],
                last_name=params.get("last_name", "")[:100],
                email=params.get("email", "")[:254],
                phone=phone,
                company_id=parse_id(params.get("company")),
                limit=SHOWN_WHILE_TYPING,
            )
        else:
            try:
                domain = normalise_domain(params.get("domain", "")[:253])
            except InvalidDomain:
                domain = ""
            matches = kind.duplicates_of_values(
                account, name=params.get("name", "")[:200], domain=domain,
                limit=SHOWN_WHILE_TYPING,
            )  # fmt: skip
        self.model = kind.model
        found = {r.pk: r for r in self.get_queryset().filter(pk__in=[m.id for m in matches])}
        rows = [(found[m.id], m, reasons_text(m.reasons)) for m in matches if m.id in found]
        response = render(request, "web/duplicates/check.html", {"kind": kind, "rows": rows})
        patch_vary_headers(response, ("HX-Request",))
        return response
