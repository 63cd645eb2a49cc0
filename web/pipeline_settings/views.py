"""Pipelines and their stages, managed by the account's owners and admins (members
read them): list and create pipelines (a new one starts with the default stages, as a
new account's first pipeline does); a pipeline's page renames it and adds, edits,
reorders (a drag, or the move buttons) and deletes its stages; a pipeline is deleted
from its confirm page. Every write goes through deals/services.py, the API's own path.
A name another request took meanwhile (the service's UniqueConflict) is the form's
error, as validation would have said it.

A stage or pipeline that holds deals, live or in the trash, cannot be deleted (the
API's 409): the pages show each one's deals and say so before anyone tries, and a
delete refused anyway (a deal arrived meanwhile) is a 409 with the service's reason.
"""

from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View

from deals.models import Deal, Pipeline, Stage
from deals.services import (
    PipelineHasDeals,
    StageHasDeals,
    StageOrderStale,
    default_stages,
    pipeline_create,
    pipeline_delete,
    pipeline_update,
    stage_add,
    stage_delete,
    stage_move,
    stage_update,
    stages_reorder,
)
from lib.errors import UniqueConflict
from trash.models import TrashedRecord
from web.pipeline_settings.forms import PipelineForm, StageForm, StageMoveForm, StageOrderForm
from web.roles import ManagersWriteMixin, may_manage
from web.tenancy import AccountViewMixin

PAGE = "web/pipeline_settings/pipeline.html"


class PipelineSettingsView(AccountViewMixin, ManagersWriteMixin, View):
    """Base: the account's pipelines (or stages), members read, managers write."""

    model = Pipeline

    def pipeline_url(self, pipeline) -> str:
        return reverse("web:pipeline-settings-pipeline", args=[pipeline.pk])


class PipelineListView(PipelineSettingsView):
    """GET: the pipelines, with their stage and deal counts, and the form that creates
    one. POST: create it with the default stages, so that it takes deals at once (its
    page renames, reorders and deletes them). Three queries."""

    def get(self, request, form=None, status=200):
        scoped = self.get_queryset()
        pipelines = list(scoped)
        stage_counts = _counts(
            Stage.objects.for_account(request.account).values_list("pipeline_id")
        )
        deal_counts = _counts(Deal.objects.for_account(request.account).values_list("pipeline_id"))
        for pipeline in pipelines:
            pipeline.stage_count = stage_counts.get(pipeline.pk, 0)
            pipeline.deal_count = deal_counts.get(pipeline.pk, 0)
        context = {
            "pipelines": pipelines,
            "form": form or PipelineForm(account=request.account),
            "may_manage": may_manage(request),
            "default_stages": default_stages(),
        }
        return render(request, "web/pipeline_settings/list.html", context, status=status)

    def post(self, request):
        form = PipelineForm(request.POST, account=request.account)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        try:
            pipeline = pipeline_create(
                account=request.account, name=form.cleaned_data["name"], stages=default_stages()
            )
        except UniqueConflict as exc:  # another request took the name meanwhile
            form.add_error(None, exc)
            return self.get(request, form=form, status=400)
        messages.success(
            request,
            f"Pipeline “{pipeline.name}” created with the usual stages: rename, reorder, "
            "add or delete them here.",
        )
        return HttpResponseRedirect(self.pipeline_url(pipeline))


def _counts(values_list) -> dict[int, int]:
    """{key: rows} of a one-column `values_list`, grouped in the database (one query)."""
    return dict(values_list.annotate(n=Count("pk")).order_by())


def stage_rows(pipeline: Pipeline) -> list[Stage]:
    """The pipeline's stages in order, each with `deal_count` (live deals) and
    `trashed_count` (deleted deals in the trash that keep it): three queries."""
    account_id = pipeline.account_id
    stages = list(Stage.objects.for_account(account_id).filter(pipeline=pipeline))
    live = _counts(
        Deal.objects.for_account(account_id).filter(pipeline=pipeline).values_list("stage_id")
    )
    trashed = (
        TrashedRecord.objects.for_account(account_id)
        .holding("deal", "pipeline_id", [pipeline.pk])
        .counted_by("stage_id")
    )
    for stage in stages:
        stage.deal_count = live.get(stage.pk, 0)
        stage.trashed_count = trashed.get(stage.pk, 0)
        stage.removable = not (stage.deal_count or stage.trashed_count)
    return stages


class PipelinePageMixin:
    """Renders a pipeline's settings page (or, over htmx, its `stages` partial) with
    the forms it holds, any of which may come back with errors."""

    def render_page(self, pipeline, *, status=200, error="", **forms):
        stages = stage_rows(pipeline)
        account = self.request.account
        edits = forms.pop("edits", {})
        context = {
            "pipeline": pipeline,
            "stages": stages,
            "may_manage": may_manage(self.request),
            "rename_form": forms.get("rename_form")
            or PipelineForm(account=account, pipeline=pipeline),
            "add_form": forms.get("add_form") or StageForm(pipeline=pipeline, stages=stages),
            "error": error,
            "deal_count": sum(s.deal_count for s in stages),
            "trashed_count": sum(s.trashed_count for s in stages),
        }
        for stage in stages:
            stage.form = edits.get(stage.pk) or StageForm(
                pipeline=pipeline, stages=stages, stage=stage
            )
        template = f"{PAGE}#stages" if self.request.htmx else PAGE
        response = render(self.request, template, context, status=status)
        patch_vary_headers(response, ["HX-Request"])
        return response

    def back(self, pipeline, message=""):
        """After a write: over htmx the refreshed stages, else the page (PRG)."""
        if message:
            messages.success(self.request, message)
        if self.request.htmx:
            return self.render_page(pipeline)
        return HttpResponseRedirect(reverse("web:pipeline-settings-pipeline", args=[pipeline.pk]))


class PipelineDetailView(PipelinePageMixin, PipelineSettingsView):
    """GET: a pipeline's settings page. POST: rename it."""

    def get(self, request, pk):
        return self.render_page(self.get_object())

    def post(self, request, pk):
        pipeline = self.get_object()
        form = PipelineForm(request.POST, account=request.account, pipeline=pipeline)
        if not form.is_valid():
            return self.render_page(pipeline, rename_form=form, status=400)
        try:
            pipeline_update(pipeline=pipeline, data={"name": form.cleaned_data["name"]})
        except UniqueConflict as exc:  # another pipeline took the name meanwhile
            form.add_error(None, exc)
            pipeline.refresh_from_db(fields=["name"])
            return self.render_page(pipeline, rename_form=form, status=400)
        return self.back(pipeline, "Pipeline renamed.")


class StageAddView(PipelinePageMixin, PipelineSettingsView):
    """POST: a new stage at the end of the pipeline."""

    http_method_names = ["post"]

    def post(self, request, pk):
        pipeline = self.get_object()
        stages = Stage.objects.for_account(request.account).filter(pipeline=pipeline)
        form = StageForm(request.POST, pipeline=pipeline, stages=stages)
        if not form.is_valid():
            return self.render_page(pipeline, add_form=form, status=400)
        try:
            stage = stage_add(pipeline=pipeline, **form.cleaned_data)
        except UniqueConflict as exc:  # a stage of that name was added or renamed meanwhile
            form.add_error(None, exc)
            return self.render_page(pipeline, add_form=form, status=400)
        except Pipeline.DoesNotExist:
            raise Http404("The pipeline was deleted meanwhile.") from None
        return self.back(pipeline, f"Stage “{stage.name}” added.")


class StageOrderView(PipelinePageMixin, PipelineSettingsView):
    """POST: the stages in a new order (`stages`: every stage's id, as dragged). A
    list that no longer matches the stages (one added or deleted meanwhile) is a 409
    with the stages as they are."""

    http_method_names = ["post"]

    def post(self, request, pk):
        pipeline = self.get_object()
        form = StageOrderForm(request.POST)
        if not form.is_valid():
            return self.render_page(pipeline, error=" ".join(form.non_field_errors()), status=400)
        try:
            stages_reorder(pipeline=pipeline, stage_ids=form.cleaned_data["stage_ids"])
        except StageOrderStale as exc:
            return self.render_page(pipeline, error=str(exc), status=409)
        return self.back(pipeline, "Stages reordered.")


class StageView(PipelinePageMixin, PipelineSettingsView):
    """Base of the views of one stage (the URL's `pk`)."""

    model = Stage

    def scope_queryset(self, queryset):
        return queryset.select_related("pipeline")


class StageUpdateView(StageView):
    """POST: a stage's new name and probability."""

    http_method_names = ["post"]

    def post(self, request, pk):
        stage = self.get_object()
        stages = Stage.objects.for_account(request.account).filter(pipeline=stage.pipeline_id)
        form = StageForm(request.POST, pipeline=stage.pipeline, stages=stages, stage=stage)
        if not form.is_valid():
            return self.render_page(stage.pipeline, edits={stage.pk: form}, status=400)
        try:
            stage_update(stage=stage, data=form.changed_values())
        except UniqueConflict as exc:  # another stage took the name meanwhile
            form.add_error(None, exc)
            return self.render_page(stage.pipeline, edits={stage.pk: form}, status=400)
        except (Stage.DoesNotExist, Pipeline.DoesNotExist):
            raise Http404("The stage was deleted meanwhile.") from None
        return self.back(stage.pipeline, f"Stage “{stage.name}” saved.")


class StageMoveView(StageView):
    """POST: a stage one place up or down (`direction`)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        stage = self.get_object()
        form = StageMoveForm(request.POST)
        if not form.is_valid():
            return self.render_page(stage.pipeline, error="Move a stage up or down.", status=400)
        stage_move(stage=stage, offset=form.offset)
        return self.back(
            stage.pipeline, f"Stage “{stage.name}” moved {form.cleaned_data['direction']}."
        )


class StageDeleteView(StageView):
    """GET: ask first, or say why the stage cannot go. POST: delete it (409 when deals
    are in it, live or in the trash)."""

    def get(self, request, pk, error="", status=200):
        stage = self.get_object()
        row = next(s for s in stage_rows(stage.pipeline) if s.pk == stage.pk)
        context = {
            "stage": row,
            "pipeline": stage.pipeline,
            "error": error,
            "may_manage": may_manage(request),
        }
        return render(request, "web/pipeline_settings/stage_delete.html", context, status=status)

    def post(self, request, pk):
        stage = self.get_object()
        try:
            stage_delete(stage=stage)
        except StageHasDeals as exc:
            return self.get(request, pk, error=str(exc), status=409)
        messages.success(request, f"Stage “{stage.name}” deleted.")
        return HttpResponseRedirect(self.pipeline_url(stage.pipeline))


class PipelineDeleteView(PipelineSettingsView):
    """GET: ask first, or say why the pipeline cannot go. POST: delete it with its
    stages (409 while it holds deals, live or in the trash)."""

    def get(self, request, pk, error="", status=200):
        pipeline = self.get_object()
        stages = stage_rows(pipeline)
        context = {
            "pipeline": pipeline,
            "deal_count": sum(s.deal_count for s in stages),
            "trashed_count": sum(s.trashed_count for s in stages),
            "error": error,
            "may_manage": may_manage(request),
        }
        return render(request, "web/pipeline_settings/pipeline_delete.html", context, status=status)

    def post(self, request, pk):
        pipeline = self.get_object()
        try:
            pipeline_delete(pipeline=pipeline)
        except PipelineHasDeals as exc:
            return self.get(request, pk, error=str(exc), status=409)
        messages.success(request, f"Pipeline “{pipeline.name}” deleted.")
        return HttpResponseRedirect(reverse("web:pipeline-settings"))
