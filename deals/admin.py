from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect

from accounts.admin_base import (
    AccountScopedAdmin,
    AccountScopedInline,
    AccountScopedInlineFormSet,
    AccountScopedRelatedListFilter,
    ActiveCurrenciesAdminMixin,
    RefusalsAsFormErrors,
)
from customfields.admin_forms import CustomFieldsAdmin
from deals import services
from deals.models import Deal, InvalidTransition, Pipeline, Stage
from events.admin_history import RecordHistoryAdmin
from events.models import Source
from lib.errors import StateConflict


class StageInlineForm(forms.ModelForm):
    probability = forms.IntegerField(min_value=0, max_value=100)

    class Meta:
        model = Stage
        fields = ["position", "name", "probability"]


class StageInlineFormSet(AccountScopedInlineFormSet):
    """A pipeline's stages as the services take them (`stage_list`): at least one,
    names unique whatever their case, in the order of their positions. The rules the
    API's serializer checks; the services check the rest (a stage holding deals)."""

    def kept_forms(self) -> list:
        return [
            form
            for form in self.forms
            if form.cleaned_data
            and not form.cleaned_data.get("DELETE")
            and (form.instance.pk is not None or form.has_changed())
        ]

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        kept = self.kept_forms()
        if not kept:
            raise ValidationError("A pipeline needs at least one stage.")
        seen = set()
        for form in kept:
            key = form.cleaned_data["name"].casefold()
            if key in seen:
                raise ValidationError(
                    f"Stage names must be unique within a pipeline: "
                    f"“{form.cleaned_data['name']}” appears twice."
                )
            seen.add(key)

    def stage_list(self) -> list[dict]:
        """`[{"id", "name", "probability"}]` by position (then row order); positions
        themselves are renumbered by the service."""
        ordered = sorted(
            enumerate(self.kept_forms()),
            key=lambda pair: (pair[1].cleaned_data.get("position") or 0, pair[0]),
        )
        return [
            {
                "id": form.instance.pk,
                "name": form.cleaned_data["name"],
                "probability": form.cleaned_data["probability"],
            }
            for _index, form in ordered
        ]


class StageInline(AccountScopedInline):
    model = Stage
    form = StageInlineForm
    formset = StageInlineFormSet
    extra = 0
    fields = ["position", "name", "probability"]
    ordering = ["position", "id"]


@admin.register(Pipeline)
class PipelineAdmin(RefusalsAsFormErrors, AccountScopedAdmin):
    """A pipeline and its stages, written through deals/services.py as the API and the
    web settings write them: one `pipeline_create` or `pipeline_update` call for the
    name and the whole stage list, under the pipeline's lock. What a service refuses
    (a removed stage that holds deals, a name taken meanwhile) is a form error
    (RefusalsAsFormErrors), a refused delete a message: never a 500."""

    list_display = ["name", "account", "created_at"]
    list_filter = [("account", AccountScopedRelatedListFilter)]
    search_fields = ["name"]
    inlines = [StageInline]

    def save_model(self, request, obj, form, change):
        """Nothing yet: `save_related` writes the pipeline with its stages, in one call."""

    def save_related(self, request, form, formsets, change):
        (stages,) = [f for f in formsets if isinstance(f, StageInlineFormSet)]
        pipeline = form.instance
        if change:
            data = {"stages": stages.stage_list()}
            if "name" in form.changed_data:
                data["name"] = form.cleaned_data["name"]
            services.pipeline_update(
                pipeline=Pipeline.objects.for_account(pipeline.account_id).get(pk=pipeline.pk),
                data=data,
            )
        else:
            created = services.pipeline_create(
                account=pipeline.account, name=pipeline.name, stages=stages.stage_list()
            )
            pipeline.pk, pipeline.created_at = created.pk, created.created_at
            pipeline.updated_at, pipeline._state.adding = created.updated_at, False
        # What the admin's change message reads (formset.save() would set them).
        stages.new_objects = [f.instance for f in stages.forms if f.instance.pk is None]
        stages.changed_objects = [
            (f.instance, f.changed_data) for f in stages.kept_forms() if f.instance.pk
        ]
        stages.deleted_objects = [f.instance for f in stages.deleted_forms if f.instance.pk]

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except StateConflict as refused:  # it holds deals: rolled back, nothing deleted
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(request.path.removesuffix("delete/") + "change/")

    def delete_model(self, request, obj):
        services.pipeline_delete(pipeline=obj)

    def log_deletions(self, request, queryset):
        # Django's bulk delete logs every selected pipeline before deleting them;
        # delete_queryset logs each one with its own delete instead, so a refused one
        # is not logged as deleted.
        return []

    def delete_queryset(self, request, queryset):
        """Each pipeline on its own: one that holds deals is refused (its message shown)
        and the others go. Django's "Successfully deleted N" would count the refused
        ones too, so this says what happened and that message is left out."""
        deleted, refused = 0, []
        for pipeline in queryset:
            try:
                with transaction.atomic():  # the log entry goes with a refused delete
                    super().log_deletions(request, [pipeline])
                    services.pipeline_delete(pipeline=pipeline)
            except StateConflict as exc:
                refused.append(str(exc))
            else:
                deleted += 1
        for message in refused:
            self.message_user(request, message, messages.ERROR)
        if deleted:
            self.message_user(request, f"Deleted {deleted} of {deleted + len(refused)} pipelines.")
        request._pipeline_deletes_reported = True

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if level == messages.SUCCESS and getattr(request, "_pipeline_deletes_reported", False):
            return  # Django's count of the selected pipelines, said better above
        super().message_user(request, message, level, *args, **kwargs)


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
class DealAdmin(
    CustomFieldsAdmin, ActiveCurrenciesAdminMixin, RecordHistoryAdmin, AccountScopedAdmin
):
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
