from django.contrib import admin, messages

from accounts.admin_base import (
    AccountScopedAdmin,
    AccountScopedInline,
    AccountScopedRelatedListFilter,
)
from deals.models import Deal, InvalidTransition, Pipeline, Stage


class StageInline(AccountScopedInline):
    model = Stage
    extra = 0
    fields = ["position", "name", "probability"]
    ordering = ["position", "id"]


@admin.register(Pipeline)
class PipelineAdmin(AccountScopedAdmin):
    list_display = ["name", "account", "created_at"]
    list_filter = [("account", AccountScopedRelatedListFilter)]
    search_fields = ["name"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(AccountScopedAdmin):
    """Registered for autocomplete on deals; stages are edited on their pipeline."""

    search_fields = ["name", "pipeline__name"]
    list_display = ["name", "pipeline", "probability", "position"]

    def has_module_permission(self, request):
        return False


def _transition(label, method_name):
    def run(modeladmin, request, queryset):
        done = refused = 0
        for deal in queryset.select_related("stage"):
            try:
                getattr(deal, method_name)()
                done += 1
            except InvalidTransition:
                refused += 1
        modeladmin.message_user(request, f"{label}: {done} deal(s).", messages.SUCCESS)
        if refused:
            modeladmin.message_user(
                request, f"{refused} deal(s) were not open and were left as they are.",
                messages.WARNING,
            )

    run.__name__ = f"mark_{method_name}"
    run.short_description = f"Mark selected deals as {label.lower()}"
    return run


@admin.register(Deal)
class DealAdmin(AccountScopedAdmin):
    list_display = ["title", "pipeline", "stage", "status", "value_cents", "currency",
                    "owner", "expected_close_date", "account"]
    list_filter = [
        ("account", AccountScopedRelatedListFilter),
        ("pipeline", AccountScopedRelatedListFilter),
        ("stage", AccountScopedRelatedListFilter),
        "status",
        ("owner", AccountScopedRelatedListFilter),
    ]
    search_fields = ["title"]
    autocomplete_fields = ["stage", "contact", "company", "owner"]
    list_select_related = ["account", "pipeline", "stage", "owner"]
    readonly_fields = ["status", "closed_at", "lost_reason", "created_at", "updated_at"]
    fields = [
        "account", "title", ("pipeline", "stage"), ("value_cents", "currency"), "probability",
        "expected_close_date", ("contact", "company"), "owner",
        ("status", "closed_at", "lost_reason"), ("created_at", "updated_at"),
    ]
    # The same state machine as the API: status changes only through these.
    actions = [_transition("Won", "win"), _transition("Lost", "lose"),
               _transition("Abandoned", "abandon")]
