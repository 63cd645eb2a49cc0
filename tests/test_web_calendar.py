"""The calendar page: a week or a month of my or a teammate's activities in the
account's time zone, rescheduling by "Move to…" (what a drag submits too), and the
feed's "Subscribe in your calendar"."""

import datetime as dt
import json
import re
import zoneinfo

import pytest
from django.test import Client

from activities.models import Activity
from events.models import Event
from tests.factories import ActivityFactory, ContactFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for
from web.calendar.periods import MONTH, WEEK, Period

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def paris(owner):
    owner.account.time_zone = "Europe/Paris"
    owner.account.save()
    return owner.account


def paris_time(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def task(actor, subject, due_at, **kwargs):
    return ActivityFactory(
        account=actor.account, owner=actor.user, subject=subject, due_at=due_at, **kwargs
    )


def page(client, **query):
    response = client.get("/calendar/", query)
    assert response.status_code == 200
    return response.content.decode()


def day_cell(html: str, date: str) -> str:
    """The markup of one day of the grid."""
    start = html.index(f'data-date="{date}"')
    end = html.find('<li class="cal-day', start)
    return html[start : end if end != -1 else len(html)]


# -- periods ----------------------------------------------------------------------------


def hours(period: Period) -> float:
    # In UTC: Python subtracts two times of one zone on the wall clock.
    return (period.end.astimezone(dt.UTC) - period.start.astimezone(dt.UTC)) / dt.timedelta(hours=1)


def test_a_week_runs_monday_to_sunday_between_local_midnights_across_dst():
    week = Period.of(WEEK, dt.date(2026, 3, 26), PARIS)  # DST starts on Sunday the 29th
    assert (week.first, week.last) == (dt.date(2026, 3, 23), dt.date(2026, 3, 29))
    assert week.start == paris_time(2026, 3, 23)
    assert week.end == paris_time(2026, 3, 30)
    assert hours(week) == 167
    autumn = Period.of(WEEK, dt.date(2026, 10, 25), PARIS)  # DST ends that Sunday
    assert hours(autumn) == 169


def test_a_month_shows_the_whole_weeks_that_hold_its_days():
    march = Period.of(MONTH, dt.date(2026, 3, 15), PARIS)
    assert (march.first, march.last) == (dt.date(2026, 2, 23), dt.date(2026, 4, 5))
    assert len(march.weeks) == 6 and all(len(week) == 7 for week in march.weeks)
    assert march.previous == dt.date(2026, 2, 1) and march.next == dt.date(2026, 4, 1)
    december = Period.of(MONTH, dt.date(2026, 12, 31), PARIS)
    assert december.next == dt.date(2027, 1, 1)
    assert march.shows_month_of(dt.date(2026, 3, 1))
    assert not march.shows_month_of(dt.date(2026, 2, 28))


# -- the page ---------------------------------------------------------------------------


def test_it_requires_sign_in():
    assert Client().get("/calendar/").status_code == 302


def test_the_week_shows_my_activities_on_their_local_day_across_dst(owner, paris):
    client = client_for(owner)
    # Sunday 29 March 2026, 23:30 in Paris (CEST): 21:30 UTC, still the 29th there.
    late_sunday = task(owner, "Late Sunday call", paris_time(2026, 3, 29, 23, 30))
    task(owner, "Monday after", paris_time(2026, 3, 30, 0, 15))  # 22:15 UTC on the 29th
    task(owner, "Sunday before", paris_time(2026, 3, 22, 23, 45))
    first = task(owner, "Monday first thing", paris_time(2026, 3, 23, 0, 0))
    html = page(client, date="2026-03-25")
    assert "Late Sunday call" in day_cell(html, "2026-03-29")
    assert "23:30" in day_cell(html, "2026-03-29")
    assert "Monday first thing" in day_cell(html, "2026-03-23")
    assert "Monday after" not in html and "Sunday before" not in html
    assert f'id="cal-activity-{late_sunday.pk}"' in html and f"cal-activity-{first.pk}" in html
    assert "23–29 March 2026" in html


def test_the_month_grid_runs_from_the_monday_before_to_the_sunday_after(owner, paris):
    client = client_for(owner)
    task(owner, "Edge start", paris_time(2026, 2, 23, 0, 10))  # 23:10 UTC on the 22nd
    task(owner, "Too early", paris_time(2026, 2, 22, 23, 50))
    task(owner, "Edge end", paris_time(2026, 4, 5, 23, 30))
    task(owner, "Too late", paris_time(2026, 4, 6, 0, 30))  # 22:30 UTC on the 5th
    html = page(client, view="month", date="2026-03-10")
    assert "Edge start" in day_cell(html, "2026-02-23")
    assert "Edge end" in day_cell(html, "2026-04-05")
    assert "Too early" not in html and "Too late" not in html
    assert html.count('<li class="cal-day') == 42
    assert "March 2026" in html


def test_it_shows_only_the_chosen_owners_activities(owner, teammate, outsider):
    client = client_for(owner)
    when = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)
    task(owner, "Mine", when)
    task(teammate, "Tom's", when)
    task(outsider, "Outsider's", when)
    ActivityFactory(account=owner.account, subject="Nobody's", due_at=when)
    html = page(client, date="2026-06-10")
    assert "Mine" in html and "Tom&#x27;s" not in html and "Nobody" not in html
    html = page(client, date="2026-06-10", owner=teammate.user.pk)
    assert "Tom&#x27;s" in html and ">Mine<" not in html
    # Another account's user is no choice: the page shows mine, and nothing of theirs.
    html = page(client, date="2026-06-10", owner=outsider.user.pk)
    assert "Mine" in html and "Outsider" not in html


@pytest.mark.parametrize(
    "query",
    [
        {"date": "9999-12-31"},
        {"date": "0001-01-01", "view": "month"},
        {"date": "2026-02-30"},
        {"view": "year"},
        {"owner": "99999999999999999999999"},
        {"owner": "-1"},
        {"date": "9998-12-31", "view": "month"},
        {"date": "0002-01-01", "view": "week"},
    ],
)
def test_bad_or_extreme_queries_still_answer_a_page(owner, query):
    assert client_for(owner).get("/calendar/", query).status_code == 200


def test_done_activities_show_but_cannot_be_moved(owner):
    done = task(
        owner,
        "Sent proposal",
        dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC),
        status=Activity.Status.CANCELLED,
    )
    html = page(client_for(owner), date="2026-06-10")
    item = html[html.index(f'id="cal-activity-{done.pk}"') :]
    item = item[: item.index("</li>")]
    assert "Sent proposal" in item and 'draggable="true"' not in item and "cal-move" not in item


def test_the_page_costs_the_same_queries_for_few_or_many_activities(owner, teammate):
    client = client_for(owner)
    contact = ContactFactory(account=owner.account)
    base = dt.datetime(2026, 6, 8, 9, 0, tzinfo=dt.UTC)

    def load(**query):
        with capture_queries() as queries:
            page(client, date="2026-06-10", **query)
        return queries

    task(owner, "One", base, contact=contact)
    task(teammate, "Theirs", base, contact=contact)
    load()  # the feed is created on the first visit
    small, small_teammate, small_month = load(), load(owner=teammate.user.pk), load(view="month")
    for hours in range(1, 40, 3):
        task(owner, f"More {hours}", base + dt.timedelta(hours=hours), contact=contact)
        task(teammate, f"Theirs {hours}", base + dt.timedelta(hours=hours), contact=contact)
    assert_same_count(small, load())
    assert_same_count(small_teammate, load(owner=teammate.user.pk))
    assert_same_count(small_month, load(view="month"))


def test_navigation_links_keep_the_view_and_owner(owner, teammate):
    html = page(client_for(owner), view="month", date="2026-03-10", owner=teammate.user.pk)
    assert f"?view=month&amp;date=2026-02-01&amp;owner={teammate.user.pk}" in html
    assert f"?view=month&amp;date=2026-04-01&amp;owner={teammate.user.pk}" in html
    assert f"?view=week&amp;date=2026-03-10&amp;owner={teammate.user.pk}" in html


def test_over_htmx_it_answers_the_grid_alone(owner):
    response = client_for(owner).get(
        "/calendar/", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="calendar-grid"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="calendar-grid"')
    assert "Subscribe in your calendar" not in html
    assert "HX-Request" in response["Vary"]


# -- moving -----------------------------------------------------------------------------


def test_moving_keeps_the_local_time_of_day_across_dst(owner, paris):
    activity = task(owner, "Demo", paris_time(2026, 3, 27, 9, 0))  # 08:00 UTC (CET)
    response = client_for(owner).post(
        f"/calendar/activities/{activity.pk}/move/",
        {"date": "2026-03-30"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    activity.refresh_from_db()
    assert activity.due_at == paris_time(2026, 3, 30, 9, 0)  # 07:00 UTC (CEST)
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["activity-changed"] == {"id": activity.pk}
    assert trigger["toast"] == "Moved “Demo” to Mon 30 Mar, 09:00."
    event = Event.objects.for_account(owner.account).latest("id")
    assert (event.record_type, event.record_id) == ("activity", activity.pk)
    assert event.action == "updated"


def test_moving_to_a_time_too(owner, paris):
    activity = task(owner, "Demo", paris_time(2026, 3, 27, 9, 0))
    client_for(owner).post(
        f"/calendar/activities/{activity.pk}/move/", {"date": "2026-03-28", "time": "14:30"}
    )
    activity.refresh_from_db()
    assert activity.due_at == paris_time(2026, 3, 28, 14, 30)


def test_a_time_the_clocks_skip_lands_after_the_change(owner, paris):
    activity = task(owner, "Early", paris_time(2026, 3, 27, 2, 30))
    client_for(owner).post(f"/calendar/activities/{activity.pk}/move/", {"date": "2026-03-29"})
    activity.refresh_from_db()
    assert activity.due_at == paris_time(2026, 3, 29, 3, 30)


def test_without_javascript_a_move_returns_to_the_same_view(owner, teammate):
    activity = task(teammate, "Demo", dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC))
    response = client_for(owner).post(
        f"/calendar/activities/{activity.pk}/move/",
        {
            "date": "2026-06-12",
            "back_view": "month",
            "back_date": "2026-06-10",
            "back_owner": str(teammate.user.pk),
        },
    )
    assert response.status_code == 302
    assert response["Location"] == (
        f"/calendar/?view=month&date=2026-06-10&owner={teammate.user.pk}"
    )


@pytest.mark.parametrize("date", ["", "tomorrow", "9999-12-31", "2026-02-30"])
def test_a_bad_date_moves_nothing_and_says_why(owner, date):
    when = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)
    activity = task(owner, "Demo", when)
    response = client_for(owner).post(
        f"/calendar/activities/{activity.pk}/move/", {"date": date}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert json.loads(response["HX-Trigger"])["toast"].startswith("Not moved:")
    activity.refresh_from_db()
    assert activity.due_at == when


def test_moving_another_accounts_activity_is_404(owner, outsider):
    theirs = task(outsider, "Theirs", dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC))
    response = client_for(owner).post(
        f"/calendar/activities/{theirs.pk}/move/", {"date": "2026-06-12"}
    )
    assert response.status_code == 404


# -- the feed ---------------------------------------------------------------------------


def feed_address(html: str) -> str:
    return re.search(r'id="feed-url"[^>]*value="([^"]+)"', html).group(1)


def test_the_page_offers_my_feed_with_copy_and_reset(owner):
    client = client_for(owner)
    html = page(client)
    address = feed_address(html)
    assert address == owner.client.get("/api/v1/me/calendar/").json()["url"]
    assert 'data-copy="feed-url"' in html
    response = client.post("/calendar/feed/reset/", {"back_view": "month"})
    assert response.status_code == 302 and response["Location"] == "/calendar/?view=month"
    new = feed_address(page(client))
    assert new != address
    assert Client().get(address.removeprefix("http://testserver")).status_code == 404
    assert Client().get(new.removeprefix("http://testserver")).status_code == 200


def test_a_teammates_calendar_says_whose_it_is(owner, teammate):
    teammate.user.first_name, teammate.user.last_name = "Tom", "Baker"
    teammate.user.save()
    response = client_for(owner).get(
        "/calendar/",
        {"owner": teammate.user.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="calendar-grid",
    )
    assert "· Tom Baker" in response.content.decode()
    assert "· " not in page(client_for(owner)).split('id="calendar-title"')[1].split("</h2>")[0]


# -- the keyboard's previous / next day -------------------------------------------------


@pytest.mark.parametrize(("shift", "day"), [("-1", 26), ("1", 28)])
def test_previous_and_next_day_move_a_day_keeping_the_time(owner, paris, shift, day):
    activity = task(owner, "Demo", paris_time(2026, 3, 27, 9, 0))
    response = client_for(owner).post(
        f"/calendar/activities/{activity.pk}/move/",
        {"date": "2026-03-27", "time": "09:00", "shift": shift},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    activity.refresh_from_db()
    assert activity.due_at == paris_time(2026, 3, day, 9, 0)


def test_next_day_across_the_spring_change_keeps_the_wall_clock(owner, paris):
    activity = task(owner, "Demo", paris_time(2026, 3, 28, 9, 0))  # CET
    client_for(owner).post(
        f"/calendar/activities/{activity.pk}/move/", {"date": "2026-03-28", "shift": "1"}
    )
    activity.refresh_from_db()
    assert activity.due_at == paris_time(2026, 3, 29, 9, 0)  # CEST: 07:00 UTC


@pytest.mark.parametrize(
    ("date", "shift"), [("2026-03-27", "2"), ("2026-03-27", "x"), ("9999-12-30", "1")]
)
def test_a_bad_shift_moves_nothing(owner, paris, date, shift):
    when = paris_time(2026, 3, 27, 9, 0)
    activity = task(owner, "Demo", when)
    response = client_for(owner).post(
        f"/calendar/activities/{activity.pk}/move/",
        {"date": date, "shift": shift},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    activity.refresh_from_db()
    assert activity.due_at == when


def test_every_open_activity_offers_previous_and_next_day(owner):
    task(owner, "Demo", dt.datetime.now(dt.UTC))
    html = page(client_for(owner))
    assert 'name="shift" value="-1"' in html and 'name="shift" value="1"' in html
    assert 'Previous day<span class="visually-hidden"> for “Demo”</span>' in html
