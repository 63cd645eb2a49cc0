"""The trash in the admin: staff see the trash of the accounts they administer (read
only), restore from it with an action, and delete from it for good."""

from collections import defaultdict

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404

from accounts.admin_base import AccountScopedAdmin, AccountScopedRelatedListFilter
from events.models import Source
from trash.models import TrashedRecord
from trash.services import NotInTrash, RestoreConflict, record_restore, trash_empty


@admin.register(TrashedRecord)
class TrashedRecordAdmin(AccountScopedAdmin):
    """Read-only entries (no add, no change); "Restore selected" brings records back
    through `record_restore` (source "admin"); deleting an entry purges it."""

    list_display = ["title", "record_type", "record_id", "account", "deleted_by", "deleted_at"]
    list_filter = [("account", AccountScopedRelatedListFilter), "record_type", "deleted_at"]
    list_select_related = ["account", "deleted_by"]
    search_fields = ["title"]
    ordering = ["-deleted_at", "-id"]
    fields = [
        "account",
        ("record_type", "record_id"),
        "title",
        ("deleted_at", "deleted_by"),
        "purge_at",
        "row",
        "tags",
        "links",
        "merge",
    ]
    readonly_fields = [
        "account",
        "record_type",
        "record_id",
        "title",
        "deleted_at",
        "deleted_by",
        "purge_at",
        "row",
        "tags",
        "links",
        "merge",
    ]
    actions = ["restore_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Django refuses a POST to a read-only admin (403) before it looks the entry up:
        # another account's entry must be a 404 whatever the method (one query more).
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404("No trashed record with this id.")
        return super().change_view(request, object_id, form_url, extra_context)

    def has_restore_permission(self, request):
        """Restoring takes the entry out of the trash: who may delete entries may."""
        return self.has_delete_permission(request)

    @admin.display(description="purged on")
    def purge_at(self, entry):
        return entry.purge_at

    @admin.action(description="Restore selected records", permissions=["restore"])
    def restore_selected(self, request, queryset):
        """Each record in its own transaction; those that clash are named, with why."""
        restored, refused = 0, []
        entries = (
            queryset.select_related(None)
            .only("account_id", "record_type", "record_id", "title")
            .order_by("pk")
        )
        for entry in entries:
            try:
                record_restore(
                    account=entry.account_id,
                    record_type=entry.record_type,
                    record_id=entry.record_id,
                    by=request.user,
                    source=Source.ADMIN,
                )
            except (NotInTrash, RestoreConflict) as exc:
                refused.append(f"{entry.title or entry.record_id}: {exc}")
            else:
                restored += 1
        if restored:
            self.message_user(request, f"Restored {restored} record(s).", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"{len(refused)} could not be restored: {'; '.join(refused)}",
                messages.WARNING,
            )

    def delete_model(self, request, obj):
        trash_empty(account=obj.account_id, ids=[obj.pk])

    def delete_queryset(self, request, queryset):
        """Purge for good, account by account (the selection may span several)."""
        ids_by_account = defaultdict(list)
        for pk, account_id in queryset.values_list("pk", "account_id"):
            ids_by_account[account_id].append(pk)
        for account_id, ids in ids_by_account.items():
            trash_empty(account=account_id, ids=ids)
