"""The deals list, the deal page, its form, and the state machine's actions (move, win,
lose, abandon, reopen) for the deal page and the pipeline board.

Views only translate HTTP to deals.services (`deal_move`, `deal_win`, ...), the one
write path, which applies the model's state machine to the locked row: a refused
transition (`InvalidTransition`) is a clear message — a 409 over htmx, a flash message
and a redirect otherwise — never a 500. Over htmx (the board) an action
answers the refreshed board partial; a plain form post redirects back.
"""

import json

from django.contrib import messages
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import CreateView, DetailView, UpdateView

from deals.api.filters import DealFilter
from deals.forecast import forecast
from deals.models import Deal, InvalidTransition, Stage
from deals.services import (
    deal_abandon,
    deal_create,
    deal_lose,
    deal_move,
    deal_reopen,
    deal_update,
    deal_win,
)
from events.models import Source
from lib.ids import parse_id
from lib.paginator import DeferredJoinPaginator
from web.edit_conflicts import EditConflict, conflict_context, saving_at_version
from web.formatting import format_money
from web.forms import members_of
from web.forms.deals import DealForm, LoseForm, MoveForm
from web.tenancy import AccountViewMixin
from web.views.pipeline import (
    BOARD_ORDER,
    SESSION_PIPELINE,
    board_context,
    decorate_deal,
    render_board,
)
from web.views.timeline import timeline_context

PAGE_SIZE = 50
LIST_FILTERS = ("pipeline", "stage", "status", "owner")  # the ones the page's form shows


class RecordPageMixin:
    """A record's read-only page: a POST is 405 for the account's record, and a 404
    (not a 405) for another account's, so a method never tells that a record exists."""

    def post(self, request, *args, **kwargs):
        self.get_object()
        return HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS"])


class DealListView(AccountViewMixin, View):
    """GET: deals a page at a time, in the board's order, filtered through the API's own
    `DealFilter` (`?pipeline=`, `stage`, `status`, `owner` as an id or `me`, ...); a
    board column past its cards links here for the rest of its stage. Queries: the
    count, the page (stage, company and owner joined), the stages with their pipelines
    and the members for the filters."""

    model = Deal
    template_name = "web/deals/list.html"

    def scope_queryset(self, queryset):
        return queryset.select_related("stage", "company", "owner")

    def get(self, request):
        filterset = DealFilter(request.GET, queryset=self.get_queryset(), request=request)
        errors = (
            []
            if filterset.is_valid()
            else [
                f"{name.replace('_', ' ').capitalize()}: {' '.join(errs)}"
                for name, errs in filterset.errors.items()
            ]
        )
        paginator = DeferredJoinPaginator(filterset.qs.order_by(*BOARD_ORDER), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        deals = list(page.object_list)
        for deal in deals:
            decorate_deal(deal)
        params = request.GET.copy()
        params.pop("page", None)
        account = request.account
        stages = list(
            Stage.objects.for_account(account)
            .select_related("pipeline")
            .order_by("pipeline__name", "pipeline", "position", "id")
        )
        pipelines = list({stage.pipeline_id: stage.pipeline for stage in stages}.values())
        filters = {key: request.GET.get(key, "") for key in LIST_FILTERS}
        context = {
            "page": page,
            "deals": deals,
            "query": params.urlencode(),
            "filters": filters,
            "filtered": bool(params),
            "errors": errors,
            "pipelines": pipelines,
            "stages": stages,
            "statuses": Deal.Status.choices,
            "members": list(members_of(account)),
            "today": timezone.localdate(timezone=account.zone),
        }
        return render(request, self.template_name, context)


class DealDetailView(RecordPageMixin, AccountViewMixin, DetailView):
    """A deal: its fields, where it stands in its pipeline, the actions, the timeline.
    Constant queries: the deal (stage, pipeline, company, contact, owner joined), the
    pipeline's stages, and the timeline's own."""

    model = Deal
    template_name = "web/deals/detail.html"
    context_object_name = "deal"

    def scope_queryset(self, queryset):
        return queryset.select_related("stage", "pipeline", "company", "contact", "owner")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deal = self.object
        decorate_deal(deal)
        stages = list(
            Stage.objects.for_account(self.request.account).filter(pipeline_id=deal.pipeline_id)
        )
        probability = deal.effective_probability
        context.update(
            stages=stages,
            move_form=MoveForm(initial={"stage": deal.stage_id}, stages=stages),
            lose_form=LoseForm(),
            probability=probability,
            weighted=format_money(round(deal.value_cents * probability / 100), deal.currency),
            timeline=timeline_context(self.request, deal),
        )
        return context


class DealFormMixin(AccountViewMixin):
    model = Deal
    form_class = DealForm
    template_name = "web/deals/form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["account"] = self.request.account
        return kwargs

    def get_success_url(self):
        return reverse("web:deal", args=[self.object.pk])


class DealCreateView(DealFormMixin, CreateView):
    """A new deal; `?pipeline=`, `?company=` and `?contact=` preselect those fields."""

    def get_initial(self):
        initial = super().get_initial()
        for name in ("pipeline", "company", "contact"):
            record_id = parse_id(self.request.GET.get(name, ""))
            if record_id is not None:
                initial[name] = record_id
        # Else the pipeline last shown on the board.
        initial.setdefault("pipeline", self.request.session.get(SESSION_PIPELINE))
        initial.setdefault("owner", self.request.user.pk)
        return initial

    def form_valid(self, form):
        self.object = deal_create(
            account=self.request.account,
            by=self.request.user,
            source=Source.UI,
            data=form.deal_data(),
        )
        messages.success(self.request, f"Deal “{self.object.title}” created.")
        return HttpResponseRedirect(self.get_success_url())


class DealUpdateView(DealFormMixin, UpdateView):
    def scope_queryset(self, queryset):
        return queryset.select_related("stage")

    def form_valid(self, form):
        try:
            with saving_at_version(form):
                self.object = deal_update(
                    deal=self.object,
                    by=self.request.user,
                    source=Source.UI,
                    data=form.changed_deal_data(),
                )
        except EditConflict:
            context = self.get_context_data(
                form=form, conflict=conflict_context(form, request=self.request)
            )
            return self.render_to_response(context, status=409)
        except InvalidTransition as exc:  # closed by someone else since the form loaded
            form.add_error("stage", str(exc))
            return self.form_invalid(form)
        messages.success(self.request, "Deal saved.")
        return HttpResponseRedirect(self.get_success_url())


class DealActionView(AccountViewMixin, View):
    """POST an action on a deal. Over htmx: the board partial for the deal's pipeline
    (filtered by `owner` as posted), 409 with a message when the state machine refuses.
    Otherwise: a flash message and a redirect to `next` (or the deal page).
    GET (a stale link, a reload) just leads to the deal page."""

    model = Deal

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get(self, request, pk):
        deal = self.get_object()
        return HttpResponseRedirect(reverse("web:deal", args=[deal.pk]))

    def post(self, request, pk):
        deal = self.get_object()
        try:
            message = self.perform(deal)
        except InvalidTransition as exc:
            hint = "" if deal.is_open or isinstance(self, DealReopenView) else " Reopen it first."
            return self.refuse(deal, f"{exc}{hint}", status=409)
        except ValueError as exc:  # a form error: a bad stage, a reason too long
            return self.refuse(deal, str(exc), status=400)
        if request.htmx:
            context = board_context(
                request, pipeline_id=deal.pipeline_id, owner=request.POST.get("owner"), keep=deal
            )
            context["focus"] = f"deal-{deal.pk}" if deal.is_open else ""
            response = render_board(request, context)
            response["HX-Trigger"] = json.dumps({"toast": message})
            return response
        messages.success(request, message)
        return self.back(deal)

    def perform(self, deal) -> str:
        raise NotImplementedError

    def back(self, deal):
        target = self.request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            target = reverse("web:deal", args=[deal.pk])
        return HttpResponseRedirect(target)

    def refuse(self, deal, message, *, status):
        if self.request.htmx:
            response = HttpResponse(message, status=status, content_type="text/plain")
            response["HX-Trigger"] = json.dumps({"toast": message})
            return response
        messages.error(self.request, message)
        return self.back(deal)


class DealMoveView(DealActionView):
    def perform(self, deal):
        stages = Stage.objects.for_account(self.request.account).filter(
            pipeline_id=deal.pipeline_id
        )
        form = MoveForm(self.request.POST, stages=list(stages))
        if not form.is_valid():
            raise ValueError("Pick a stage of the deal's pipeline.")
        stage = form.stages[form.cleaned_data["stage"]]
        # Like the API: the stage's probability applies.
        deal_move(deal=deal, by=self.request.user, source=Source.UI, stage=stage)
        return f"“{deal.title}” moved to {stage.name}."


class DealWinView(DealActionView):
    def perform(self, deal):
        deal_win(deal=deal, by=self.request.user, source=Source.UI)
        return f"“{deal.title}” won. Well done!"


class DealLoseView(DealActionView):
    def perform(self, deal):
        form = LoseForm(self.request.POST)
        if not form.is_valid():
            raise ValueError("The reason: " + " ".join(form.errors["reason"]))
        deal_lose(
            deal=deal,
            by=self.request.user,
            source=Source.UI,
            reason=form.cleaned_data["reason"].strip(),
        )
        return f"“{deal.title}” marked as lost."


class DealAbandonView(DealActionView):
    def perform(self, deal):
        deal_abandon(deal=deal, by=self.request.user, source=Source.UI)
        return f"“{deal.title}” abandoned."


class DealReopenView(DealActionView):
    def perform(self, deal):
        deal_reopen(deal=deal, by=self.request.user, source=Source.UI)
        return f"“{deal.title}” reopened."


def deal_summary(deals) -> list[dict]:
    """Open and won totals per currency of a deal queryset (two aggregate queries)."""
    return [
        {
            "currency": t["currency"],
            "open_count": t["open_count"],
            "open_value": format_money(t["open_value_cents"], t["currency"]),
            "weighted": format_money(t["weighted_value_cents"], t["currency"]),
            "won_count": t["won_count"],
            "won_value": format_money(t["won_value_cents"], t["currency"]),
        }
        for t in forecast(deals)["totals"]
    ]
