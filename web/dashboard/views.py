"""The dashboard: my activities, the pipeline by stage, won this month, recent changes.

A constant number of queries whatever the data size (tests pin it): three short lists
and one (capped) count of my activities, the stages with their pipelines, the two-query
forecast, one aggregate for this month's wins and one short list per kind of record.
From htmx it renders only the part its target names (see PARTS).
"""

import datetime as dt

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.views.generic import TemplateView

from activities.models import Activity
from companies.models import Company
from contacts.models import Contact
from deals.forecast import forecast
from deals.models import Deal, Stage
from lib.ids import parse_id
from notes.models import Note
from notes.sanitize import plain_text
from web.activity_rows import (
    ROW_RELATED,
    capped_counts,
    decorate_activities,
    shown_count,
    tab_querysets,
)
from web.formatting import format_money
from web.htmx_partials import PartialByTargetMixin
from web.moments import Day, describe_moment
from web.note_display import note_record
from web.roles import may_manage
from web.tenancy import AccountViewMixin

LIST_SIZE = 5
UPCOMING_DAYS = 7
RECENT_SIZE = 8

# htmx target id → (partial, the context builders it needs)
PARTS = {
    "my-activities": ("activities", ("activity_counts", "activity_lists")),
    "dash-activity-stats": ("activity-stats", ("activity_counts",)),
    "dashboard-pipeline": ("pipeline", ("pipeline",)),
}
FULL_PAGE = ("activity_counts", "activity_lists", "pipeline", "won", "recent")


def percent(part: int, whole: int) -> str:
    """A bar's width as an SVG percentage; a non-zero part stays visible."""
    if not whole or not part:
        return "0%"
    return f"{max(part * 100 / whole, 1.5):.1f}%"


class DashboardView(PartialByTargetMixin, AccountViewMixin, TemplateView):
    model = Activity
    template_name = "web/dashboard.html"
    partials = {target: part for target, (part, _builders) in PARTS.items()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        self.day = Day.of(self.request.account)
        part = PARTS.get(self.request.htmx.target) if self.request.htmx else None
        for builder in part[1] if part else FULL_PAGE:
            context.update(getattr(self, f"build_{builder}")())
        local = timezone.localtime(self.day.now, self.day.zone)
        greeting = (
            "Good morning"
            if local.hour < 12
            else "Good afternoon"
            if local.hour < 18
            else "Good evening"
        )
        # formatted here: the |date filter would show the server's zone, not the account's
        context.update(
            greeting=greeting,
            today_text=f"{local:%A} {local.day} {local:%B}",
            next=self.request.get_full_path(),
        )
        return context

    # -- my activities -----------------------------------------------------------------

    def activity_groups(self) -> dict[str, QuerySet]:
        """The agenda's tabs, of my activities; upcoming only for the next days."""
        tabs = tab_querysets(self.mine(), self.day)
        week_end = dt.datetime.combine(
            self.day.end.date() + dt.timedelta(days=UPCOMING_DAYS),
            dt.time.min,
            tzinfo=self.day.zone,
        )
        return {
            "overdue": tabs["overdue"],
            "today": tabs["today"],
            "upcoming": self.mine().due_between(self.day.end, week_end),
        }

    def mine(self):
        return self.get_queryset().filter(owner=self.request.user)

    def build_activity_counts(self) -> dict:
        """One query; each count stops at the agenda's COUNT_CAP ("999+")."""
        counts = capped_counts(self.activity_groups())
        return {
            "activity_counts": counts,
            "activity_count_text": {name: shown_count(n) for name, n in counts.items()},
        }

    def build_activity_lists(self) -> dict:
        """One query per group, each at most LIST_SIZE rows with their links."""
        groups = []
        labels = {
            "overdue": "Overdue",
            "today": "Later today",
            "upcoming": f"Next {UPCOMING_DAYS} days",
        }
        for name, activities in self.activity_groups().items():
            rows = list(activities.select_related(*ROW_RELATED).by_due_date()[:LIST_SIZE])
            decorate_activities(rows, day=self.day)
            groups.append({"name": name, "label": labels[name], "activities": rows})
        return {"activity_groups": groups}

    # -- the pipeline ------------------------------------------------------------------

    def build_pipeline(self) -> dict:
        """Three queries: the stages (with their pipelines) and the forecast."""
        account = self.request.account
        stages = list(
            Stage.objects.for_account(account)
            .select_related("pipeline")
            .order_by("pipeline__name", "pipeline_id", "position", "id")
        )
        numbers = forecast(Deal.objects.for_account(account))
        pipelines = {}
        for stage in stages:
            pipelines.setdefault(stage.pipeline_id, {"pipeline": stage.pipeline, "stages": []})
            pipelines[stage.pipeline_id]["stages"].append(stage)
        open_counts = {}
        for row in numbers["stages"]:
            open_counts[row["pipeline"]] = open_counts.get(row["pipeline"], 0) + row["open_count"]
        selected = parse_id(self.request.GET.get("pipeline", ""))
        if selected not in pipelines:  # the busiest pipeline, else the first
            selected = max(pipelines, key=lambda pk: open_counts.get(pk, 0), default=None)
        charts = []
        if selected is not None:
            by_stage = {
                (row["stage"], row["currency"]): row
                for row in numbers["stages"]
                if row["pipeline"] == selected
            }
            currencies = sorted({currency for _, currency in by_stage})
            for currency in currencies:
                rows = []
                for stage in pipelines[selected]["stages"]:
                    row = by_stage.get((stage.pk, currency), {})
                    rows.append(
                        {
                            "stage": stage,
                            "count": row.get("open_count", 0),
                            "value": row.get("open_value_cents", 0),
                            "weighted": row.get("weighted_value_cents", 0),
                        }
                    )
                top = max(row["value"] for row in rows)
                for row in rows:
                    row["value_width"] = percent(row["value"], top)
                    row["weighted_width"] = percent(row["weighted"], top)
                    row["value_text"] = format_money(row["value"], currency, whole=True)
                    row["weighted_text"] = format_money(row["weighted"], currency, whole=True)
                count = sum(row["count"] for row in rows)
                charts.append(
                    {
                        "currency": currency,
                        "rows": rows,
                        "count": count,
                        "value_text": format_money(
                            sum(r["value"] for r in rows), currency, whole=True
                        ),
                        "weighted_text": format_money(
                            sum(r["weighted"] for r in rows), currency, whole=True
                        ),
                    }
                )
        open_totals = [
            {
                "currency": row["currency"],
                "count": row["open_count"],
                "value_text": format_money(row["open_value_cents"], row["currency"], whole=True),
                "weighted_text": format_money(
                    row["weighted_value_cents"], row["currency"], whole=True
                ),
            }
            for row in numbers["totals"]
            if row["open_count"]
        ]
        return {
            "pipelines": [entry["pipeline"] for entry in pipelines.values()],
            "selected_pipeline": pipelines[selected]["pipeline"] if selected else None,
            "charts": charts,
            "open_totals": open_totals,
        }

    # -- won this month ------------------------------------------------------------------

    def build_won(self) -> dict:
        """One aggregate: deals won since the 1st of this month in the account's zone."""
        today = self.day.start.date()
        month_start = dt.datetime.combine(today.replace(day=1), dt.time.min, tzinfo=self.day.zone)
        next_month = (today.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        month_end = dt.datetime.combine(next_month, dt.time.min, tzinfo=self.day.zone)
        rows = (
            Deal.objects.for_account(self.request.account)
            .filter(status=Deal.Status.WON, closed_at__gte=month_start, closed_at__lt=month_end)
            .order_by()
            .values("currency")
            .annotate(count=Count("id"), value=Sum("value_cents"))
            .order_by("currency")
        )
        won = [
            {
                "currency": row["currency"],
                "count": row["count"],
                "value_text": format_money(row["value"], row["currency"], whole=True),
            }
            for row in rows
        ]
        return {
            "won": won,
            "won_count": sum(row["count"] for row in won),
            "month_name": f"{month_start:%B}",
        }

    # -- recently changed ----------------------------------------------------------------

    def build_recent(self) -> dict:
        """One short query per kind of record, merged newest first."""
        account = self.request.account
        entries = []
        for contact in (
            Contact.objects.for_account(account)
            .select_related("company")
            .order_by("-updated_at", "-id")[:RECENT_SIZE]
        ):
            entries.append(
                {
                    "kind": "contact",
                    "label": "Contact",
                    "title": contact.full_name,
                    "url": f"/contacts/{contact.pk}/",
                    "at": contact.updated_at,
                    "detail": contact.company.name if contact.company else contact.email,
                }
            )
        for company in Company.objects.for_account(account).order_by("-updated_at", "-id")[
            :RECENT_SIZE
        ]:
            entries.append(
                {
                    "kind": "company",
                    "label": "Company",
                    "title": company.name,
                    "url": f"/companies/{company.pk}/",
                    "at": company.updated_at,
                    "detail": company.industry or company.domain,
                }
            )
        for deal in (
            Deal.objects.for_account(account)
            .select_related("stage")
            .order_by("-updated_at", "-id")[:RECENT_SIZE]
        ):
            value = format_money(deal.value_cents, deal.currency, whole=True)
            state = deal.stage.name if deal.is_open else deal.get_status_display()
            entries.append(
                {
                    "kind": "deal",
                    "label": "Deal",
                    "title": deal.title,
                    "url": f"/deals/{deal.pk}/",
                    "at": deal.updated_at,
                    "detail": f"{value} · {state}",
                }
            )
        for note in (
            Note.objects.for_account(account)
            .select_related("contact", "company", "deal")
            .order_by("-updated_at", "-id")[:RECENT_SIZE]
        ):
            record, url = note_record(note)
            entries.append(
                {
                    "kind": "note",
                    "label": note.get_kind_display(),
                    "title": plain_text(note.body, limit=70),
                    "url": url,
                    "at": note.updated_at,
                    "detail": f"on {record}" if record else "",
                }
            )
        # A brand-new account (no contact, no deal yet) opens on the getting-started
        # steps; the lists above answer it, so it costs no query.
        getting_started = not any(entry["kind"] in ("contact", "deal") for entry in entries)
        entries.sort(key=lambda entry: entry["at"], reverse=True)
        entries = entries[:RECENT_SIZE]
        for entry in entries:
            entry["relative"], entry["absolute"] = describe_moment(entry["at"], day=self.day)
        return {
            "recent": entries,
            "getting_started": getting_started,
            "may_manage": may_manage(self.request),
        }
