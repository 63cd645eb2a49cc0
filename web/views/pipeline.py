"""The pipeline board: a column per stage of one pipeline, with its open deals.

The board costs a constant number of queries whatever the number of deals: the
pipelines, the stages, the open deals (with company, contact and owner joined), the
forecast of the open deals (two aggregates, per stage and currency), the deals closed
this month (two aggregates) and the members for the owner filter.
Moving a deal and the other actions live in web/views/deals.py; over htmx they answer
the board partial rendered here.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views import View

from deals.forecast import forecast
from deals.models import Deal, Pipeline, Stage
from web.formatting import format_money
from web.forms import members_of
from web.tenancy import AccountViewMixin

BOARD_TEMPLATE = "web/pipeline/board.html"
SESSION_PIPELINE = "board_pipeline"


@dataclass
class CurrencyTotal:
    """A column's or a summary's totals in one currency (never summed across)."""

    currency: str
    count: int
    value_cents: int
    weighted_cents: int | None = None

    @property
    def value(self) -> str:
        return format_money(self.value_cents, self.currency)

    @property
    def weighted(self) -> str:
        return format_money(self.weighted_cents or 0, self.currency)


@dataclass
class Column:
    stage: Stage
    deals: list = field(default_factory=list)
    totals: list = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(total.count for total in self.totals)


def _parse_id(value) -> int | None:
    text = str(value or "").strip()
    if text.isascii() and text.isdigit() and len(text) < 19:
        return int(text)
    return None


def parse_owner(request, value) -> tuple[str, int | None]:
    """The owner filter as typed ("", "me" or a user id) and the user id it selects."""
    text = str(value or "").strip()
    if text == "me":
        return "me", request.user.pk
    owner_id = _parse_id(text)
    return (str(owner_id), owner_id) if owner_id is not None else ("", None)


def decorate_deal(deal) -> None:
    """Give a deal its formatted value (`deal.amount`), for cards and tables."""
    deal.amount = format_money(deal.value_cents, deal.currency)


def board_context(request, *, pipeline_id=None, owner="") -> dict:
    """Everything the board template shows, for the account's pipeline `pipeline_id`
    (else the first) and the owner filter ("", "me" or a user id)."""
    account = request.account
    pipelines = list(Pipeline.objects.for_account(account))
    members = list(members_of(account))
    owner_value, owner_id = parse_owner(request, owner)
    if owner_id is not None and owner_id not in {m.pk for m in members}:
        owner_value, owner_id = "", None
    wanted = _parse_id(pipeline_id)
    pipeline = next((p for p in pipelines if p.pk == wanted), pipelines[0] if pipelines else None)
    query = {"pipeline": pipeline.pk if pipeline else "", "owner": owner_value}
    context = {"pipelines": pipelines, "members": members, "owner": owner_value,
               "pipeline": pipeline, "columns": [], "open_totals": [],
               "board_url": f"{reverse('web:pipeline')}?{urlencode(query)}",
               "today": timezone.localdate(timezone=account.zone)}
    if pipeline is None:
        return context
    stages = list(Stage.objects.for_account(account).filter(pipeline=pipeline))
    deals = Deal.objects.for_account(account).filter(pipeline=pipeline)
    if owner_id is not None:
        deals = deals.filter(owner_id=owner_id)
    open_deals = (
        deals.open()
        .with_stage_probability()
        .select_related("company", "contact", "owner")
        .order_by("expected_close_date", "-created_at", "-id")
    )
    # expected_close_date NULLs sort first on SQLite, last on PostgreSQL: put them last.
    cards = sorted(open_deals, key=lambda d: d.expected_close_date is None)
    columns = {stage.pk: Column(stage=stage) for stage in stages}
    for deal in cards:
        decorate_deal(deal)
        if deal.stage_id in columns:
            columns[deal.stage_id].deals.append(deal)
    open_forecast = forecast(deals.open())
    for row in open_forecast["stages"]:
        if row["stage"] in columns:
            columns[row["stage"]].totals.append(CurrencyTotal(
                row["currency"], row["open_count"], row["open_value_cents"],
                row["weighted_value_cents"]))
    month_start = timezone.localtime(timezone.now(), account.zone).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0)
    closed = forecast(deals.filter(closed_at__gte=month_start))["totals"]
    context.update(
        stages=stages,
        columns=list(columns.values()),
        open_totals=[
            CurrencyTotal(t["currency"], t["open_count"], t["open_value_cents"],
                          t["weighted_value_cents"])
            for t in open_forecast["totals"] if t["open_count"]
        ],
        won=[CurrencyTotal(t["currency"], t["won_count"], t["won_value_cents"])
             for t in closed if t["won_count"]],
        lost=[CurrencyTotal(t["currency"], t["lost_count"], t["lost_value_cents"])
              for t in closed if t["lost_count"]],
        abandoned_count=sum(t["abandoned_count"] for t in closed),
        month_name=month_start.strftime("%B"),
    )
    return context


def render_board(request, context, *, status=200):
    """The board partial (htmx) with `Vary: HX-Request`."""
    response = render(request, f"{BOARD_TEMPLATE}#board", context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


class BoardView(AccountViewMixin, View):
    """GET `?pipeline=<id>&owner=<id|me>`: the board; over htmx, just its partial."""

    def get(self, request):
        # The pipeline picked last is the one the board opens on next time.
        chosen = request.GET.get("pipeline") or request.session.get(SESSION_PIPELINE)
        context = board_context(request, pipeline_id=chosen, owner=request.GET.get("owner"))
        picked = context["pipeline"].pk if context["pipeline"] is not None else None
        if picked is not None and request.session.get(SESSION_PIPELINE) != picked:
            request.session[SESSION_PIPELINE] = picked
        if request.htmx:
            return render_board(request, context)
        response = render(request, BOARD_TEMPLATE, context)
        patch_vary_headers(response, ["HX-Request"])
        return response
