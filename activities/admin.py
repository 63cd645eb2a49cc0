from django.contrib import admin, messages

from accounts.admin_base import AccountScopedAdmin, AccountScopedRelatedListFilter
from activities import services
from activities.models import Activity, InvalidTransition
from events.admin_history import RecordHistoryAdmin
from events.models import Source


@admin.action(description="Mark selected activities as completed")
def mark_completed(modeladmin, request, queryset):
    done = refused = 0
    for activity in queryset:
        try:  # the same status machine and write path as the API
            services.activity_complete(activity=activity, by=request.user, source=Source.ADMIN)
            done += 1
        except InvalidTransition:
            refused += 1
    modeladmin.message_user(request, f"Completed {done} activities.", messages.SUCCESS)
    if refused:
        modeladmin.message_user(
            request, f"{refused} were already done or cancelled.", messages.WARNING
        )


@admin.register(Activity)
class ActivityAdmin(RecordHistoryAdmin, AccountScopedAdmin):
    list_display = ["subject", "type", "status", "due_at", "owner", "contact", "deal", "account"]
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
    fields = [
        "account",
        ("type", "subject"),
        "description",
        ("due_at", "remind_before_minutes"),
        ("contact", "company", "deal"),
        "owner",
        ("status", "completed_at"),
        ("created_at", "updated_at"),
    ]
    actions = [mark_completed]

    def save_model(self, request, obj, form, change):
        if change:
            data = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name in services.ACTIVITY_EDITABLE
            }
            services.activity_update(activity=obj, by=request.user, source=Source.ADMIN, data=data)
        else:
            # The form built `obj`: every field, the model's defaults for those left out.
            data = {name: getattr(obj, name) for name in services.ACTIVITY_EDITABLE}
            obj.pk = services.activity_create(
                account=obj.account, by=request.user, source=Source.ADMIN, data=data
            ).pk

    def delete_model(self, request, obj):
        services.activity_delete(activity=obj, by=request.user, source=Source.ADMIN)

    def delete_queryset(self, request, queryset):
        services.activity_delete_many(activities=queryset, by=request.user, source=Source.ADMIN)
