from django.contrib import admin, messages

from accounts.admin_base import AccountScopedAdmin, AccountScopedRelatedListFilter
from activities.models import Activity, InvalidTransition


@admin.action(description="Mark selected activities as completed")
def mark_completed(modeladmin, request, queryset):
    done = refused = 0
    for activity in queryset:
        try:
            activity.complete()  # the same status machine as the API
            done += 1
        except InvalidTransition:
            refused += 1
    modeladmin.message_user(request, f"Completed {done} activities.", messages.SUCCESS)
    if refused:
        modeladmin.message_user(request, f"{refused} were already done or cancelled.",
                                messages.WARNING)


@admin.register(Activity)
class ActivityAdmin(AccountScopedAdmin):
    list_display = ["subject", "type", "status", "due_at", "owner", "contact", "deal",
                    "account"]
    list_filter = [
        ("account", AccountScopedRelatedListFilter),
        "type",
        "status",
        ("owner", AccountScopedRelatedListFilter),
        "due_at",
    ]
    search_fields = ["subject", "description"]
    autocomplete_fields = ["contact", "company", "deal", "owner"]
    list_select_related = ["account", "owner", "contact", "deal"]
    readonly_fields = ["status", "completed_at", "created_at", "updated_at"]
    fields = ["account", ("type", "subject"), "description", "due_at",
              ("contact", "company", "deal"), "owner", ("status", "completed_at"),
              ("created_at", "updated_at")]
    actions = [mark_completed]
