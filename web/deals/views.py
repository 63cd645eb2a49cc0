"""The deals list (with "Delete selected"), the deal page, its form and delete, and the
state machine's actions (move, win, lose, abandon, reopen) for the deal page and the
pipeline board.

Views only translate HTTP to deals.services (`deal_move`, `deal_win`, ...), the one
write path, which applies the model's state machine to the locked row: a refused
transition (`InvalidTransition`) is a clear message — a 409 over htmx, a flash message
and a redirect otherwise — never a 500. Over htmx (the board) an action
answers the refreshed board partial; a plain form post redirects back.
"""

import json

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.models import User
from customfields.values import definitions_for
from deals.filters import DealFilter
from deals.models import Deal, InvalidTransition, Stage
from deals.services import (
    deal_abandon,
    deal_create,
    deal_delete,
    deal_lose,
    deal_move,
    deal_reopen,
    deal_update,
    deal_win,
    deals_delete,
)
from events.models import Source
from lib.ids import parse_id
from web.bulk_delete import BulkDeleteView
from web.crud import RecordDeleteView, RecordDetailView, RecordFormView, RecordListView
from web.custom_field_display import custom_field_rows
from web.custom_field_lists import CustomFieldListMixin
from web.deal_display import decorate_deal
from web.deals.board import BOARD_ORDER, SESSION_PIPELINE, board_context, render_board
from web.deals.forms import DealForm, LoseForm, MoveForm
from web.formatting import format_money
from web.owner_status import with_owner_status
from web.record_timeline import timeline_context
from web.roles import may_manage
from web.stage_visits import stage_history
from web.tenancy import AccountViewMixin

PAGE_SIZE = 50
LIST_FILTERS = ("pipeline", "stage", "status", "owner")  # the ones the page's form shows


class DealListView(CustomFieldListMixin, RecordListView):
    """GET: deals a page at a time, in the board's order, filtered through the API's own
    `DealFilter` (`?pipeline=`, `stage`, `status`, `owner` as an id or `me`, ...); a
    board column past its cards links here for the rest of its stage. Queries: the
    count, the page (stage, company and owner joined), the stages with their pipelines
    and the members for the filters."""

    model = Deal
    filterset_class = DealFilter
    template_name = "web/deals/list.html"
    page_size = PAGE_SIZE
    custom_field_record_type = "deal"

    def scope_queryset(self, queryset):
        return queryset.select_related("stage", "company", "owner")

    def order(self, queryset):
        return queryset.order_by(*BOARD_ORDER)

    def is_partial(self) -> bool:
        return False  # the page has no htmx requests of its own

    def get_context_data(self, *, filterset, page, errors):
        request = self.request
        deals = list(page.object_list)
        for deal in deals:
            decorate_deal(deal)
        params = request.GET.copy()
        for name in ("page", "columns", "columns_set"):  # not filters
            params.pop(name, None)
        account = request.account
        stages = list(
            Stage.objects.for_account(account)
            .select_related("pipeline")
            .order_by("pipeline__name", "pipeline", "position", "id")
        )
        pipelines = list({stage.pipeline_id: stage.pipeline for stage in stages}.values())
        return {
            **self.custom_field_context(deals),
            "page": page,
            "deals": deals,
            "query": params.urlencode(),
            "filters": {key: request.GET.get(key, "") for key in LIST_FILTERS},
            "filtered": bool(params),
            "errors": errors,
            "pipelines": pipelines,
            "stages": stages,
            "statuses": Deal.Status.choices,
            "members": list(User.objects.members_of(account)),
            "today": timezone.localdate(timezone=account.zone),
        }


class DealDetailView(RecordDetailView):
    """A deal: its fields, where it stands in its pipeline, the actions, the timeline.
    Constant queries: the deal (stage, pipeline, company, contact, owner joined), the
    pipeline's stages, its stage history (its stage events, their stages' names), and
    the timeline's own. A won or lost deal shows its outcome (value, date, reason),
    never a probability or a weighted value."""

    model = Deal
    template_name = "web/deals/detail.html"
    context_object_name = "deal"

    def scope_queryset(self, queryset):
        return with_owner_status(
            queryset.select_related("stage", "pipeline", "company", "contact", "owner")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deal = self.object
        decorate_deal(deal)
        stages = list(
            Stage.objects.for_account(self.request.account).filter(pipeline_id=deal.pipeline_id)
        )
        context.update(
            stages=stages,
            move_form=MoveForm(initial={"stage": deal.stage_id}, stages=stages),
            lose_form=LoseForm(),
            timeline=timeline_context(self.request, deal),
            custom_fields=custom_field_rows(
                definitions_for(self.request.account, "deal"), deal.custom_fields
            ),
            **stage_history(account=self.request.account, deal=deal),
        )
        if deal.is_open:  # a closed deal's outcome is known: no chance, no weighting
            probability = deal.effective_probability
            context.update(
                probability=probability,
                weighted=format_money(round(deal.value_cents * probability / 100), deal.currency),
            )
        return context


class DealFormView(RecordFormView):
    """A new deal (`?pipeline=`, `?company=` and `?contact=` preselect those fields), or
    a deal's edit form; saved through the deal services. A deal closed by someone else
    since the form loaded is an error on its stage (the state machine's rule)."""

    model = Deal
    form_class = DealForm
    template_name = "web/deals/form.html"
    create_service = staticmethod(deal_create)
    update_service = staticmethod(deal_update)
    record_url_name = "web:deal"
    save_refusals = (InvalidTransition,)
    refusal_field = "stage"

    def scope_queryset(self, queryset):
        return queryset.select_related("stage")

    def get_initial(self):
        initial = super().get_initial()
        if self.creating:
            for name in ("pipeline", "company", "contact"):
                record_id = parse_id(self.request.GET.get(name, ""))
                if record_id is not None:
                    initial[name] = record_id
            # Else the pipeline last shown on the board.
            initial.setdefault("pipeline", self.request.session.get(SESSION_PIPELINE))
            initial.setdefault("owner", self.request.user.pk)
        return initial

    def get_context_data(self, **kwargs):
        kwargs.setdefault("may_manage", may_manage(self.request))  # the settings link
        return super().get_context_data(**kwargs)

    def record_data(self, form) -> dict:
        return form.deal_data() if self.object is None else form.changed_deal_data()

    def save(self, form):
        deal = super().save(form)
        # The pipeline used last opens next time, on the board and in this form.
        self.request.session[SESSION_PIPELINE] = deal.pipeline_id
        return deal

    def success_message(self, deal) -> str:
        return f"Deal “{deal.title}” created." if self.creating else "Deal saved."


class DealActionView(AccountViewMixin, View):
    """POST an action on a deal. Over htmx: the board partial for the deal's pipeline
    (filtered by `owner` as posted), 409 with a message when the state machine refuses.
    Otherwise: a flash message and a redirect to `next` (or the deal page).
    GET (a stale link, a reload) just leads to the deal page."""

    model = Deal

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


class DealDeleteView(RecordDeleteView):
    """GET: the confirm page. POST: the deal goes to the trash (its notes and activities
    stay, unlinked); back to the list with the Undo."""

    model = Deal
    context_object_name = "deal"
    delete_service = staticmethod(deal_delete)
    success_url = reverse_lazy("web:deals")

    def confirm_context(self, deal) -> dict:
        return {
            "title": f"Delete {deal.title}?",
            "consequence": (
                "Its notes and activities stay, no longer linked to it; restoring it "
                "links them again."
            ),
            "button": "Delete deal",
            "cancel_url": reverse("web:deal", args=[deal.pk]),
        }

    def success_message(self, deal) -> str:
        return f"Deleted {deal.title}."


class DealBulkDeleteView(BulkDeleteView):
    """POST `ids`: "Delete selected" on the deals list."""

    model = Deal
    delete_service = staticmethod(deals_delete)
    list_url_name = "web:deals"
