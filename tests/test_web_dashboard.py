"""The dashboard: my activities, the pipeline by stage, won this month, recent changes."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
    PipelineFactory,
)
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for
from web import activity_rows
from web.formatting import format_money

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def page(actor, url="/", **extra) -> str:
    response = client_for(actor).get(url, **extra)
    assert response.status_code == 200
    return response.content.decode()


def task(actor, subject, due_at=None, **kwargs):
    return ActivityFactory(
        account=actor.account, owner=actor.user, subject=subject, due_at=due_at, **kwargs
    )


def test_it_requires_sign_in():
    assert Client().get("/").status_code == 302


def test_money_is_formatted_with_separators_and_currency():
    assert format_money(123456789, "USD") == "1,234,567.89 USD"
    assert format_money(123456789, "EUR", whole=True) == "1,234,568 EUR"
    assert format_money(0, "JPY", whole=True) == "0 JPY"


# -- my activities --------------------------------------------------------------------


def test_it_lists_my_overdue_today_and_upcoming_activities(owner, teammate):
    now = dt.datetime.now(UTC)
    task(owner, "Late one", now - dt.timedelta(days=2))
    task(owner, "Next week one", now + dt.timedelta(days=3))
    task(owner, "Far future", now + dt.timedelta(days=40))
    task(teammate, "Tom's task", now - dt.timedelta(days=1))
    html = page(owner)
    assert "Late one" in html and "Next week one" in html
    assert "Far future" not in html  # beyond the next 7 days
    assert "Tom&#x27;s task" not in html  # mine only
    assert 'data-stat="overdue">1<' in html


def test_today_is_today_in_the_account_time_zone(owner):
    owner.account.time_zone = "America/New_York"
    owner.account.save()
    now = dt.datetime(2026, 11, 25, 22, 0, tzinfo=UTC)  # 17:00 in New York
    task(owner, "Tonight in New York", dt.datetime(2026, 11, 26, 3, 0, tzinfo=UTC))
    task(owner, "Tomorrow in New York", dt.datetime(2026, 11, 26, 6, 0, tzinfo=UTC))
    with mock.patch("django.utils.timezone.now", return_value=now):
        html = page(owner)
    assert 'data-stat="today">1<' in html
    today_section = html.split("Later today")[1].split("Next 7 days")[0]
    assert "Tonight in New York" in today_section
    assert "Tomorrow in New York" not in today_section
    assert "Good afternoon" in html and "Wednesday 25 November" in html


def test_the_greeting_and_date_are_the_account_zones(owner):
    owner.account.time_zone = "America/New_York"
    owner.account.save()
    now = dt.datetime(2026, 11, 26, 2, 0, tzinfo=UTC)  # Thursday in UTC, 21:00 Wednesday there
    with mock.patch("django.utils.timezone.now", return_value=now):
        html = page(owner)
    assert "Good evening" in html and "Wednesday 25 November" in html


def test_more_than_five_overdue_links_to_the_agenda(owner):
    for i in range(7):
        task(owner, f"Late {i}", dt.datetime.now(UTC) - dt.timedelta(hours=i + 1))
    html = page(owner)
    assert "See all 7 overdue" in html
    assert html.count('class="activity ') == 5


def test_each_row_completes_with_one_click_through_htmx(owner):
    activity = task(owner, "Call back", dt.datetime.now(UTC) - dt.timedelta(hours=1))
    html = page(owner)
    assert f'hx-post="/agenda/activities/{activity.pk}/complete/"' in html
    assert 'aria-label="Complete “Call back”"' in html


def test_counts_past_the_cap_say_so_in_the_page_and_its_htmx_parts(owner, monkeypatch):
    monkeypatch.setattr(activity_rows, "COUNT_CAP", 6)
    now = dt.datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    for hours in range(1, 9):
        task(owner, f"Late {hours}", now - dt.timedelta(hours=hours))
    for hours in range(1, 4):
        task(owner, f"Later today {hours}", now + dt.timedelta(hours=hours))
    task(owner, "Next week", now + dt.timedelta(days=2))
    with mock.patch("django.utils.timezone.now", return_value=now):
        html = page(owner)
        stats = page(owner, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dash-activity-stats")
        mine = page(owner, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="my-activities")
    for part in (html, stats):
        assert 'data-stat="overdue">6+<' in part
        assert 'data-stat="today">3<' in part  # exact up to the cap
        assert "1 more in the next 7 days" in part
    for part in (html, mine):
        assert "See all 6+ overdue" in part
        assert 'tabcount tabcount--alert">6+</span>' in part


def test_undated_and_done_activities_are_in_no_group(owner):
    now = dt.datetime.now(UTC)
    task(owner, "Some day")
    task(owner, "Done late", now - dt.timedelta(hours=1), status="completed", completed_at=now)
    task(owner, "Dropped", now + dt.timedelta(days=1), status="cancelled")
    task(owner, "Started", now + dt.timedelta(days=1), status="in_progress")
    html = page(owner)
    assert "Some day" not in html and "Done late" not in html and "Dropped" not in html
    assert "Started" in html and "1 more in the next 7 days" in html
    assert 'data-stat="overdue">0<' in html


@pytest.mark.single_node_plan
def test_each_activity_query_is_an_index_range(owner):
    now = dt.datetime.now(UTC)
    for due_at in (
        now - dt.timedelta(hours=1),
        now + dt.timedelta(minutes=1),
        now + dt.timedelta(days=2),
        None,
    ):
        task(owner, "T", due_at)
    with capture_queries() as ctx:
        page(owner)
    statements = ctx.matching("activities_activity")
    assert len(statements) == 4  # the counts and three lists
    with connection.cursor() as cursor:
        # Statistics of this test's rows, not those earlier tests left behind: with
        # those the planner's choice between fitting indexes depended on test order.
        cursor.execute("ANALYZE activities_activity")
        # priced out, these remain only where no index fits the query
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        for sql in statements:
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Sort" not in plan and "Seq Scan" not in plan and "Bitmap" not in plan, plan
            assert not re.search(r"Filter: .*due_at", plan), plan
            assert "using activity_open_by_" in plan, plan


# -- the pipeline ---------------------------------------------------------------------


def test_the_pipeline_shows_count_value_and_weighted_value_per_stage_and_currency(owner):
    pipeline = PipelineFactory(account=owner.account, name="Sales")
    lead, qualified = pipeline.stages.order_by("position")[:2]
    DealFactory(pipeline=pipeline, stage=lead, value_cents=1_000_000_00, currency="USD")
    DealFactory(pipeline=pipeline, stage=qualified, value_cents=200_000_00, currency="USD")
    DealFactory(pipeline=pipeline, stage=qualified, value_cents=50_000_00, currency="EUR")
    html = page(owner)
    assert "Pipeline by stage" in html
    assert "1,000,000 USD" in html and "100,000 USD" in html  # Lead: value, 10% weighted
    assert "50,000 EUR" in html and "12,500 EUR" in html  # Qualified 25%
    assert "1,200,000 USD" in html  # the USD total, EUR kept apart
    assert "1,250,000" not in html  # never summed across currencies
    assert '<rect class="chart__value" width="100.0%"' in html
    assert "style=" not in html


def test_the_pipeline_switcher_renders_only_the_chart_for_htmx(owner):
    first = PipelineFactory(account=owner.account, name="Alpha")
    second = PipelineFactory(account=owner.account, name="Beta")
    DealFactory(pipeline=first, title="A deal")
    DealFactory(pipeline=second, title="B deal", currency="GBP")
    response = client_for(owner).get(
        f"/?pipeline={second.pk}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard-pipeline"
    )
    html = response.content.decode()
    assert "GBP" in html and "<html" not in html and "My activities" not in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("value", ["abc", "99999999", "-1", ""])
def test_a_bad_pipeline_parameter_falls_back(owner, value):
    DealFactory(pipeline=PipelineFactory(account=owner.account))
    assert "Pipeline by stage" in page(owner, f"/?pipeline={value}")


def test_empty_states_are_helpful(owner):
    html = page(owner)
    assert "No pipeline yet" in html
    assert "Nothing overdue" in html
    assert "No deal won yet this month" in html


# -- won this month -------------------------------------------------------------------


def test_won_this_month_follows_the_account_time_zone(owner):
    owner.account.time_zone = "Asia/Tokyo"  # UTC+9
    owner.account.save()
    now = dt.datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # noon on 1 December in Tokyo
    pipeline = PipelineFactory(account=owner.account)
    DealFactory(
        pipeline=pipeline,
        status="won",
        value_cents=7_000_00,
        closed_at=dt.datetime(2026, 11, 30, 16, 0, tzinfo=UTC),
    )  # 1 Dec, 01:00
    DealFactory(
        pipeline=pipeline,
        status="won",
        value_cents=900_00,
        closed_at=dt.datetime(2026, 11, 30, 14, 0, tzinfo=UTC),
    )  # 30 Nov, 23:00
    DealFactory(
        pipeline=pipeline,
        status="won",
        value_cents=3_000_00,
        currency="EUR",
        closed_at=dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
    )
    DealFactory(
        pipeline=pipeline,
        status="lost",
        value_cents=5_000_00,
        closed_at=dt.datetime(2026, 12, 1, 2, 0, tzinfo=UTC),
    )
    with mock.patch("django.utils.timezone.now", return_value=now):
        html = page(owner)
    won = html.split("Won in December")[1].split("</section>")[0]
    assert "7,000 USD" in won and "3,000 EUR" in won
    assert "7,900" not in won and "10,000" not in won and "12,000" not in won


# -- recently changed -----------------------------------------------------------------


def test_recently_changed_merges_every_kind_of_record(owner):
    contact = ContactFactory(account=owner.account, first_name="Grace", last_name="Hopper")
    company = CompanyFactory(account=owner.account, name="Initech")
    deal = DealFactory(pipeline=PipelineFactory(account=owner.account), title="Big one")
    NoteFactory(
        account=owner.account, body="<p>Met at the fair</p><p>Follow up</p>", contact=contact
    )
    html = page(owner)
    recent = html.split("Recently changed")[1]
    assert f'href="/contacts/{contact.pk}/"' in recent and "Grace Hopper" in recent
    assert f'href="/companies/{company.pk}/"' in recent and "Initech" in recent
    assert f'href="/deals/{deal.pk}/"' in recent and "Big one" in recent
    assert "Met at the fair Follow up" in recent


def test_another_accounts_records_never_appear(owner, outsider):
    now = dt.datetime.now(UTC)
    ActivityFactory(
        account=outsider.account,
        owner=owner.user,
        subject="Globex task",
        due_at=now - dt.timedelta(hours=1),
    )
    ContactFactory(account=outsider.account, first_name="Globex", last_name="Person")
    CompanyFactory(account=outsider.account, name="Globex Corp")
    pipeline = PipelineFactory(account=outsider.account, name="Globex pipeline")
    DealFactory(pipeline=pipeline, title="Globex deal", currency="CHF", status="won", closed_at=now)
    DealFactory(pipeline=pipeline, title="Globex open deal", currency="CHF")
    NoteFactory(account=outsider.account, body="Globex note")
    html = page(owner)
    assert "Globex" not in html and "CHF" not in html


# -- cost ---------------------------------------------------------------------------------


def grow(actor, n):
    now = dt.datetime.now(UTC)
    pipeline = PipelineFactory(account=actor.account)
    company = CompanyFactory(account=actor.account)
    contact = ContactFactory(account=actor.account, company=company)
    for i in range(n):
        deal = DealFactory(
            pipeline=pipeline, company=company, contact=contact, currency="USD" if i % 2 else "EUR"
        )
        DealFactory(pipeline=pipeline, status="won", closed_at=now)
        for hours in (-5, 1, 30):
            task(
                actor,
                f"T{i}",
                now + dt.timedelta(hours=hours),
                contact=contact,
                company=company,
                deal=deal,
            )
        NoteFactory(account=actor.account, contact=contact, deal=deal)
        ContactFactory(account=actor.account, company=company)
        CompanyFactory(account=actor.account)


@pytest.mark.parametrize(
    "target", [None, "my-activities", "dash-activity-stats", "dashboard-pipeline"]
)
def test_queries_do_not_grow_with_data(owner, target):
    extra = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": target} if target else {}
    client = client_for(owner)

    def count():
        with capture_queries() as ctx:
            assert client.get("/", **extra).status_code == 200
        return ctx

    grow(owner, 2)
    small = count()
    grow(owner, 15)
    large = count()
    assert_same_count(small, large, at_most=17)


def test_a_brand_new_account_opens_on_the_getting_started_steps():
    from accounts.services import account_create

    account_create(name="Fresh Co", username="fresh", password="Fresh-Start-123")
    client = Client()
    assert client.login(username="fresh", password="Fresh-Start-123")
    page = client.get("/").content.decode()
    assert "Get started with Fresh Co" in page
    steps = re.findall(
        r'<li><a href="([^"]+)">([^<]+)</a>', page.split("getting-started__steps")[1]
    )
    assert [text for _url, text in steps] == [
        "Add a contact",
        "Create a deal",
        "Invite a teammate",
        "Import contacts",
    ]
    for url, text in steps:  # the owner needs no admin for any of them
        assert client.get(url).status_code == 200, text
    # The deal form offers the default pipeline the new account was given.
    assert "Sales" in client.get("/deals/new/").content.decode()


def test_the_getting_started_steps_leave_once_there_is_a_contact_or_deal(owner, pipeline):
    client = client_for(owner)
    assert "Get started" in client.get("/").content.decode()
    ContactFactory(account=owner.account)
    assert "Get started" not in client.get("/").content.decode()


def test_a_member_is_pointed_to_the_members_list_not_the_invite_form(owner, teammate):
    page = client_for(teammate).get("/").content.decode()
    assert "See your teammates" in page and "/settings/members/new/" not in page
