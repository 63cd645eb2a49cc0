""" "Delete selected" on a list, with one Undo for them all: the contacts, companies and
deals lists share it (templates/web/_bulk_delete.html is the bar of the lists that
have no other bulk action).

The selected ids are locked first, in id order (two bulk deletes never deadlock), in the
transaction of the area's bulk delete service, so the Undo restores exactly what this
delete trashed, never a record someone else deleted meanwhile. Ids of another
account's records, of records already gone and values that are not ids match nothing.
A constant number of queries, whatever the number selected.
"""

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views import View

from events.models import Source
from lib.ids import parse_id
from web.crud import is_local_path
from web.tenancy import AccountViewMixin
from web.undo import MAX_RECORDS, offer_undo

MAX_SELECTED = MAX_RECORDS  # one Undo button restores them all


def selected_ids(values, *, limit: int = MAX_SELECTED) -> list[int]:
    """The ids among the raw values of a list's repeated `ids` field (the first `limit`
    values; those that are not ids are dropped)."""
    return [pk for pk in (parse_id(value) for value in values[:limit]) if pk is not None]


def counted(model, count: int) -> str:
    """ "1 company", "1,204 companies": `count` records of `model`."""
    meta = model._meta
    return f"{count:,} {meta.verbose_name if count == 1 else meta.verbose_name_plural}"


def delete_selected(request, *, queryset, ids, delete) -> int:
    """Trash the rows of `queryset` (the request's account's, scoped by the view) among
    `ids` through `delete(*, account, by, source, ids)`, the area's bulk delete service,
    and offer their Undo. How many were deleted."""
    model = queryset.model
    with transaction.atomic():
        locked = list(
            queryset.filter(pk__in=ids)
            .select_related(None)  # FOR UPDATE refuses the nullable side of an outer join
            .select_for_update(of=("self",))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        count = delete(account=request.account, by=request.user, source=Source.UI, ids=locked)
    offer_undo(
        request,
        f"Deleted {counted(model, count)}.",
        record_type=model._meta.model_name,
        ids=locked,
    )
    return count


class BulkDeleteView(AccountViewMixin, View):
    """POST `ids` (repeated) and `next`: trash the selected records of `model` through
    `delete_service`, then back to the list page the form was on (`next`, a path under
    `list_url_name`'s), whose message offers the Undo."""

    http_method_names = ["post"]
    delete_service = None  # e.g. companies_delete(*, account, by, source, ids) -> int
    list_url_name = ""

    def post(self, request):
        ids = selected_ids(request.POST.getlist("ids"))
        if ids:
            delete_selected(
                request, queryset=self.get_queryset(), ids=ids, delete=self.delete_service
            )
        else:
            messages.error(request, f"Select at least one {self.model._meta.verbose_name}.")
        return HttpResponseRedirect(self.back())

    def back(self) -> str:
        list_url = reverse(self.list_url_name)
        target = self.request.POST.get("next", "")
        if target.startswith(list_url) and is_local_path(self.request, target):
            return target
        return list_url
