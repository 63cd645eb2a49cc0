"""The trash page: what the account deleted in the last 30 days, newest first, to
restore (one, several, or all of a type) or, for owners and admins, to empty; and the
Undo button that follows a delete (web/undo.py).

Rows come from `AccountViewMixin` (the account's trash only); every restore goes
through `trash.services.record_restore`, one record per transaction
(web/trash/restoring.py).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from trash.models import RETENTION, TrashedRecord
from trash.services import trash_empty
from web.crud import RecordListView
from web.tenancy import AccountViewMixin
from web.trash.filters import TYPE_LABELS, TrashFilter
from web.trash.forms import RestoreAllForm, RestoreForm
from web.trash.restoring import restore_entries, trash_entries

PAGE_SIZE = 25
# "Restore all" restores at most this many per click (each is its own transaction,
# about a dozen queries): a huge trash is restored in a few clicks, not one long
# request. The message says how many are left.
RESTORE_ALL_LIMIT = 200
SINGULAR = {
    "contact": "Contact",
    "company": "Company",
    "deal": "Deal",
    "activity": "Activity",
    "note": "Note",
}


def may_empty(request) -> bool:
    """Owners and admins of the account may empty its trash; members may not."""
    return request.membership.can_manage_account


class TrashMixin:
    model = TrashedRecord

    def scope_queryset(self, queryset):
        # Only the shown columns: `row` and `links` can be large.
        return queryset.select_related("deleted_by").only(
            "account_id",
            "record_type",
            "record_id",
            "title",
            "deleted_at",
            "deleted_by__username",
            "deleted_by__first_name",
            "deleted_by__last_name",
        )


class TrashListView(TrashMixin, RecordListView):
    """GET: the trash, newest first, filtered by `type`, a page at a time. Queries:
    the count and the page (who deleted each joined), whatever the number of rows."""

    filterset_class = TrashFilter
    template_name = "web/trash/list.html"
    page_size = PAGE_SIZE

    def order(self, queryset):
        return queryset.newest_first()

    def get_context_data(self, *, filterset, page, errors):
        record_type = filterset.form.cleaned_data.get("type", "") if not errors else ""
        query = f"type={record_type}" if record_type else ""
        entries = list(page.object_list)
        for entry in entries:
            entry.type_label = SINGULAR[entry.record_type]
            entry.key = f"{entry.record_type}:{entry.record_id}"
        return {
            "page": page,
            "entries": entries,
            "errors": errors,
            "record_type": record_type,
            "type_label": TYPE_LABELS.get(record_type, ""),
            "type_options": list(TYPE_LABELS.items()),
            "query": query,
            "current_url": self.request.get_full_path(),
            "may_empty": may_empty(self.request),
            "retention_days": RETENTION.days,
        }


class RestoreView(AccountViewMixin, View):
    """POST `records` (repeated "contact:12"): restore those of the account's trash,
    each in its own transaction, and say how it went. None of them in the trash (another
    account's, or gone): 404, nothing restored."""

    http_method_names = ["post"]

    def post(self, request):
        form = RestoreForm(request.POST, values=request.POST.getlist("records"))
        if not form.is_valid():
            messages.error(request, " ".join(form.non_field_errors()) or "Nothing to restore.")
            return HttpResponseRedirect(self.back_to_list())
        entries = trash_entries(request.account, form.cleaned_data["records"])
        if not entries:
            raise Http404("Not in the trash.")
        outcome = restore_entries(entries, account=request.account, by=request.user)
        messages.add_message(request, getattr(messages, outcome.level.upper()), outcome.message())
        return HttpResponseRedirect(self.back(outcome))

    def back(self, outcome) -> str:
        """The trash page the form was on (its filter and page kept)."""
        return self.back_to_list()

    def next_url(self, prefix: str = "/") -> str:
        """`next` when it is a path of this site under `prefix`, else ""."""
        target = self.request.POST.get("next", "")
        if target.startswith(prefix) and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}
        ):
            return target
        return ""

    def back_to_list(self) -> str:
        return self.next_url(reverse("web:trash")) or reverse("web:trash")


class UndoView(RestoreView):
    """POST from an Undo button (web/undo.py): restore what the delete just trashed;
    then the record's page when one came back, else the page the button was on."""

    def back(self, outcome) -> str:
        if len(outcome.restored) == 1 and not outcome.failed:
            return outcome.restored[0].url
        return self.next_url() or reverse("web:trash")

    def back_to_list(self) -> str:
        return self.next_url() or reverse("web:trash")


class RestoreAllView(AccountViewMixin, View):
    """POST `type` (optional): restore the trash of the filter, newest first, up to
    RESTORE_ALL_LIMIT records; the message says how many are left."""

    http_method_names = ["post"]

    def post(self, request):
        form = RestoreAllForm(request.POST)
        record_type = form.cleaned_data["type"] if form.is_valid() else ""
        entries = TrashedRecord.objects.for_account(request.account).newest_first()
        if record_type:
            entries = entries.of_type(record_type)
        chosen = list(
            entries.only("account_id", "record_type", "record_id", "title")[: RESTORE_ALL_LIMIT + 1]
        )
        back = reverse("web:trash") + (f"?type={record_type}" if record_type else "")
        if not chosen:
            messages.info(request, "The trash is empty.")
            return HttpResponseRedirect(back)
        outcome = restore_entries(
            chosen[:RESTORE_ALL_LIMIT], account=request.account, by=request.user
        )
        text = outcome.message()
        if len(chosen) > RESTORE_ALL_LIMIT:
            text += " More are in the trash: restore all again to bring them back too."
        messages.add_message(request, getattr(messages, outcome.level.upper()), text)
        return HttpResponseRedirect(back)


class EmptyTrashView(AccountViewMixin, View):
    """GET: ask first, saying how many records go for good. POST: delete them (the
    filter's type, or all). Owners and admins only: members get 403."""

    def refuse_members(self) -> None:
        if not may_empty(self.request):
            raise PermissionDenied("Only the account's owners and admins empty the trash.")

    def record_type(self) -> str:
        form = RestoreAllForm(self.request.POST or self.request.GET)
        return form.cleaned_data["type"] if form.is_valid() else ""

    def get(self, request):
        self.refuse_members()
        record_type = self.record_type()
        entries = TrashedRecord.objects.for_account(request.account)
        if record_type:
            entries = entries.of_type(record_type)
        return render(
            request,
            "web/trash/empty.html",
            {
                "count": entries.count(),
                "record_type": record_type,
                "type_label": TYPE_LABELS.get(record_type, ""),
            },
        )

    def post(self, request):
        self.refuse_members()
        record_type = self.record_type()
        count = trash_empty(account=request.account, record_type=record_type or None)
        noun = TYPE_LABELS[record_type].lower() if record_type else "records"
        messages.success(request, f"Emptied the trash: {count:,} {noun} deleted for good.")
        return HttpResponseRedirect(reverse("web:trash"))
