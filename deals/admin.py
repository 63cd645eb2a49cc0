from django.contrib import admin, messages

from accounts.admin_base import (
    AccountScopedAdmin,
    AccountScopedInline,
    AccountScopedRelatedListFilter,
)
from customfields.admin_forms import CustomFieldsAdmin
from deals import services
from deals.models import Deal, InvalidTransition, Pipeline, Stage
from events.admin_history import RecordHistoryAdmin
from events.models import Source


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


def _transition(label, action, refused_because):
    service = getattr(services, f"deal_{action}")

    def run(modeladmin, request, queryset):
        done = refused = 0
        for deal in queryset:
            try:
                service(deal=deal, by=request.user, source=Source.ADMIN)
                done += 1
            except InvalidTransition:
                refused += 1
        modeladmin.message_user(request, f"{label}: {done} deal(s).", messages.SUCCESS)
        if refused:
            modeladmin.message_user(
                request,
                f"{refused} deal(s) {refused_because} and were left as they are.",
                messages.WARNING,
            )

    run.__name__ = f"mark_{action}"
    run.short_description = f"Mark selected deals as {label.lower()}"
    return run


@admin.register(Deal)
class DealAdmin(CustomFieldsAdmin, RecordHistoryAdmin, AccountScopedAdmin):
    custom_field_record_type = "deal"
    list_display = [
        "title",
        "pipeline",
        "stage",
        "status",
        "value_cents",
        "currency",
        "owner",
        "expected_close_date",
        "account",
    ]
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
    readonly_fields = [
        "status",
        "closed_at",
        "lost_reason",
        "stage_entered_at",
        "created_at",
        "updated_at",
    ]
    fields = [
        "account",
        "title",
        ("pipeline", "stage"),
        ("value_cents", "currency"),
        "probability",
        "expected_close_date",
        ("contact", "company"),
        "owner",
        "custom_fields",
        ("status", "closed_at", "lost_reason"),
        ("stage_entered_at", "created_at", "updated_at"),
    ]
    # The same state machine and write path as the API: status changes only through
    # these, and every save and delete goes through deals.services.
    actions = [
        _transition("Won", "win", "were not open"),
        _transition("Lost", "lose", "were not open"),
        _transition("Abandoned", "abandon", "were not open"),
        _transition("Reopened", "reopen", "were already open"),
    ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # Left empty, the model's clean() picks the stage (Deal.stage_in_pipeline).
        if "stage" in form.base_fields:
            form.base_fields["stage"].required = False
            form.base_fields["stage"].help_text = "Left empty: the pipeline's first stage."
        return form

    def save_model(self, request, obj, form, change):
        # `obj` as the model's clean() left it: the stage it picked, not the empty field.
        editable = services.DEAL_EDITABLE
        data = {name: getattr(obj, name) for name in form.changed_data if name in editable}
        if "pipeline" in data:
            data["stage"] = obj.stage
        if change:
            services.deal_update(deal=obj, by=request.user, source=Source.ADMIN, data=data)
        else:
            # The form built `obj`: every field, the model's defaults for those left out.
            data = {name: getattr(obj, name) for name in services.DEAL_EDITABLE}
            obj.pk = services.deal_create(
                account=obj.account, by=request.user, source=Source.ADMIN, data=data
            ).pk

    def delete_model(self, request, obj):
        services.deal_delete(deal=obj, by=request.user, source=Source.ADMIN)

    def delete_queryset(self, request, queryset):
        services.deal_delete_many(deals=queryset, by=request.user, source=Source.ADMIN)
