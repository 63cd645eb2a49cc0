"""The pipeline board: a column per stage of one pipeline, with its open deals.

The board costs a constant number of queries whatever the number of deals: the
pipelines, the stages, the first COLUMN_CARDS open deals of each stage (one windowed
query, with company, contact and owner joined), the forecast of the open deals (a
grouped pass and their stages), the deals closed this month (a grouped pass) and the
members for the owner filter. A column's header counts every open deal of its stage;
past the cards shown it ends with a link to the rest in the deals list.
Moving a deal and the other actions live in web/deals/views.py; over htmx they answer
the board partial rendered here.
"""

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views import View

from accounts.models import User
from deals.forecast import forecast
from deals.models import Deal, Pipeline, Stage
from lib.ids import parse_id
from web.deal_display import decorate_deal
from web.formatting import format_money
from web.roles import may_manage
from web.tenancy import AccountViewMixin

BOARD_TEMPLATE = "web/pipeline/board.html"
SESSION_PIPELINE = "board_pipeline"
COLUMN_CARDS = 50  # cards per column: past a few dozen a column is scrolled, not read
# Soonest expected close first, undated last (on SQLite too), then the newest.
BOARD_ORDER = (
    F("expected_close_date").asc(nulls_last=True),
    F("created_at").desc(),
    F("id").desc(),
)


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
    deals: list = field(default_factory=list)  # the first COLUMN_CARDS, in board order
    totals: list = field(default_factory=list)
    more_url: str = ""  # the stage's open deals in the deals list

    @property
    def count(self) -> int:
        return sum(total.count for total in self.totals)

    @property
    def more(self) -> int:
        """Open deals of the stage beyond the cards shown."""
        return max(self.count - len(self.deals), 0)


def parse_owner(request, value) -> tuple[str, int | None]:
    """The owner filter as typed ("", "me" or a user id) and the user id it selects."""
    text = str(value or "").strip()
    if text == "me":
        return "me", request.user.pk
    owner_id = parse_id(text)
    return (str(owner_id), owner_id) if owner_id is not None else ("", None)


def first_cards(account, open_deals, *, per_stage: int, stage_count: int) -> list:
    """The first `per_stage` of `open_deals` in each stage, in board order, with company,
    contact, owner and stage probability: one query whatever the number of deals.

    The window numbers each stage's deals in board order (the `deal_board` index
    yields them in that order, so nothing is sorted); only the ids of the first ones
    leave the subquery, and the joins run for those alone."""
    ranked = open_deals.annotate(
        place=Window(RowNumber(), partition_by=F("stage"), order_by=BOARD_ORDER)
    ).filter(place__lte=per_stage)
    # The LIMIT changes no result (at most per_stage rows in each of stage_count stages),
    # but the planner cannot see through the window filter: told how few rows come
    # out, it looks each up by primary key instead of hashing the whole table.
    ids = ranked.order_by().values("pk")[: per_stage * stage_count]
    return list(
        Deal.objects.for_account(account)
        .filter(pk__in=ids)
        .with_stage_probability()
        .select_related("company", "contact", "owner")
        .order_by(*BOARD_ORDER)
    )


def _board_key(deal):
    """BOARD_ORDER in Python."""
    date = deal.expected_close_date
    return (date is None, date or dt.date.min, -deal.created_at.timestamp(), -deal.pk)


def _keep_card(columns, deal) -> None:
    """Show `deal` in its column even past the first cards: a card just dragged (or
    moved from its menu) must not vanish. A few queries (its company, owner, stage),
    only when it was not among the cards already."""
    column = columns.get(deal.stage_id)
    if column is None or not deal.is_open or any(d.pk == deal.pk for d in column.deals):
        return
    decorate_deal(deal)
    column.deals.append(deal)
    column.deals.sort(key=_board_key)


def board_context(request, *, pipeline_id=None, owner="", keep=None) -> dict:
    """Everything the board template shows, for the account's pipeline `pipeline_id`
    (else the first) and the owner filter ("", "me" or a user id); `keep` is a deal
    (just acted on) to show even past its column's first cards."""
    account = request.account
    pipelines = list(Pipeline.objects.for_account(account))
    members = list(User.objects.members_of(account))
    owner_value, owner_id = parse_owner(request, owner)
    if owner_id is not None and owner_id not in {m.pk for m in members}:
        owner_value, owner_id = "", None
    wanted = parse_id(pipeline_id)
    pipeline = next((p for p in pipelines if p.pk == wanted), pipelines[0] if pipelines else None)
    query = {"pipeline": pipeline.pk if pipeline else "", "owner": owner_value}
    context = {
        "pipelines": pipelines,
        "members": members,
        "owner": owner_value,
        "pipeline": pipeline,
        "columns": [],
        "open_totals": [],
        "board_url": f"{reverse('web:pipeline')}?{urlencode(query)}",
        "today": timezone.localdate(timezone=account.zone),
        "may_manage": may_manage(request),  # the link to the pipeline settings
    }
    if pipeline is None:
        return context
    stages = list(Stage.objects.for_account(account).filter(pipeline=pipeline))
    deals = Deal.objects.for_account(account).filter(pipeline=pipeline)
    if owner_id is not None:
        deals = deals.filter(owner_id=owner_id)
    list_query = {"pipeline": pipeline.pk, "status": Deal.Status.OPEN}
    if owner_id is not None:
        list_query["owner"] = owner_id
    columns = {
        stage.pk: Column(
            stage=stage,
            more_url=(f"{reverse('web:deals')}?{urlencode({**list_query, 'stage': stage.pk})}"),
        )
        for stage in stages
    }
    for deal in first_cards(account, deals.open(), per_stage=COLUMN_CARDS, stage_count=len(stages)):
        decorate_deal(deal)
        if deal.stage_id in columns:
            columns[deal.stage_id].deals.append(deal)
    if (
        keep is not None
        and keep.pipeline_id == pipeline.pk
        and (owner_id is None or keep.owner_id == owner_id)
    ):
        _keep_card(columns, keep)
    open_forecast = forecast(deals.open())
    for row in open_forecast["stages"]:
        if row["stage"] in columns:
            columns[row["stage"]].totals.append(
                CurrencyTotal(
                    row["currency"],
                    row["open_count"],
                    row["open_value_cents"],
                    row["weighted_value_cents"],
                )
            )
    month_start = timezone.localtime(timezone.now(), account.zone).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    # Only closed deals have a closed_at; saying so lets the grouped pass read just the
    # closed part of the forecast index, which holds closed_at.
    closed_deals = deals.filter(status__in=Deal.CLOSED, closed_at__gte=month_start)
    closed = forecast(closed_deals)["totals"]
    context.update(
        stages=stages,
        columns=list(columns.values()),
        open_totals=[
            CurrencyTotal(
                t["currency"], t["open_count"], t["open_value_cents"], t["weighted_value_cents"]
            )
            for t in open_forecast["totals"]
            if t["open_count"]
        ],
        won=[
            CurrencyTotal(t["currency"], t["won_count"], t["won_value_cents"])
            for t in closed
            if t["won_count"]
        ],
        lost=[
            CurrencyTotal(t["currency"], t["lost_count"], t["lost_value_cents"])
            for t in closed
            if t["lost_count"]
        ],
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
