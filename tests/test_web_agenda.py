"""The activity agenda page and the start / complete / cancel actions."""

import datetime as dt
import json
import re
from unittest import mock

import pytest
from django.db import connection
from django.test import Client

from accounts.tenancy import UnscopedQueryError
from activities.models import DONE_ONLY, OPEN_ONLY, Activity, count_up_to
from tests.factories import ActivityFactory, ContactFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for
from web import activity_rows
from web.activities import views as agenda

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# 17:00 in New York on Wednesday 25 November 2026 (UTC-5): "today" there runs until
# 05:00 UTC on the 26th, although the UTC date changes at 00:00.
NOW = dt.datetime(2026, 11, 25, 22, 0, tzinfo=UTC)


def htmx(**extra):
    return {"HTTP_HX_REQUEST": "true", **extra}


def subjects(response) -> str:
    return response.content.decode()


@pytest.fixture
def new_york(owner):
    owner.account.time_zone = "America/New_York"
    owner.account.save()
    return owner.account


@pytest.fixture
def frozen_now():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield NOW


def task(actor, subject, due_at=None, **kwargs):
    return ActivityFactory(
        account=actor.account, owner=actor.user, subject=subject, due_at=due_at, **kwargs
    )


# -- the page ---------------------------------------------------------------------------


def test_it_requires_sign_in():
    response = Client().get("/agenda/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_agenda_takes_the_apis_activity_parameters(owner, frozen_now):
    """The agenda filters through the API's ActivityFilter: `contact` narrows it too."""
    alice = ContactFactory(account=owner.account, first_name="Alice")
    task(owner, "Call Alice", NOW + dt.timedelta(days=2), contact=alice)
    task(owner, "Call Bob", NOW + dt.timedelta(days=2))
    html = subjects(client_for(owner).get(f"/agenda/?tab=upcoming&contact={alice.pk}"))
    assert "Call Alice" in html and "Call Bob" not in html


def test_tabs_split_by_today_in_the_account_time_zone(owner, new_york, frozen_now):
    task(owner, "Late call", NOW - dt.timedelta(hours=1))
    task(owner, "Tonight in New York", dt.datetime(2026, 11, 26, 3, 0, tzinfo=UTC))
    task(owner, "Tomorrow in New York", dt.datetime(2026, 11, 26, 6, 0, tzinfo=UTC))
    task(owner, "Someday")
    task(owner, "Already done", NOW - dt.timedelta(days=1), status="completed", completed_at=NOW)
    client = client_for(owner)

    overdue = subjects(client.get("/agenda/"))
    today = subjects(client.get("/agenda/?tab=today"))
    upcoming = subjects(client.get("/agenda/?tab=upcoming"))
    done = subjects(client.get("/agenda/?tab=done"))

    assert "Late call" in overdue and "Tonight in New York" not in overdue
    assert "Tonight in New York" in today and "Tomorrow in New York" not in today
    assert "Tomorrow in New York" in upcoming and "Someday" in upcoming
    assert "Late call" not in upcoming
    assert "Already done" in done and "Already done" not in overdue


def test_due_dates_read_relative_and_absolute_in_the_account_zone(owner, new_york, frozen_now):
    task(owner, "Tonight in New York", dt.datetime(2026, 11, 26, 3, 0, tzinfo=UTC))
    html = subjects(client_for(owner).get("/agenda/?tab=today"))
    assert "in 5 hours" in html
    assert "Wed 25 Nov, 22:00" in html  # 03:00 UTC is 22:00 the day before in New York


def test_tab_counts_are_shown(owner, frozen_now):
    for i in range(3):
        task(owner, f"Late {i}", NOW - dt.timedelta(days=1))
    task(owner, "Later", NOW + dt.timedelta(days=3))
    html = subjects(client_for(owner).get("/agenda/"))
    assert 'Overdue <span class="tabcount tabcount--alert">3</span>' in html
    assert 'Upcoming <span class="tabcount">1</span>' in html


def test_every_activity_is_in_exactly_one_tab_by_its_status_and_due_date(
    owner, new_york, frozen_now
):
    later_today = dt.datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 22:00 in New York
    tomorrow = dt.datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
    expected = {}
    for status in ("pending", "in_progress", "completed", "cancelled"):
        for when, due_at in (
            ("past", NOW - dt.timedelta(hours=1)),
            ("tonight", later_today),
            ("tomorrow", tomorrow),
            ("undated", None),
        ):
            done = status in ("completed", "cancelled")
            task(
                owner,
                f"{status}-{when}",
                due_at,
                status=status,
                completed_at=NOW if status == "completed" else None,
            )
            expected[f"{status}-{when}"] = (
                "done" if done else {"past": "overdue", "tonight": "today"}.get(when, "upcoming")
            )
    client = client_for(owner)
    for tab in ("overdue", "today", "upcoming", "done"):
        html = subjects(client.get(f"/agenda/?tab={tab}"))
        listed = {subject for subject in expected if f">{subject}<" in html}
        assert listed == {subject for subject, home in expected.items() if home == tab}, tab
    html = subjects(client.get("/agenda/"))
    assert 'Overdue <span class="tabcount tabcount--alert">2</span>' in html
    assert 'Today <span class="tabcount">2</span>' in html
    assert 'Upcoming <span class="tabcount">4</span>' in html
    assert 'Done <span class="tabcount">8</span>' in html


def test_upcoming_lists_the_soonest_first_and_undated_ones_last_across_pages(
    owner, frozen_now, monkeypatch
):
    monkeypatch.setattr(agenda, "PAGE_SIZE", 2)
    task(owner, "Undated A")  # the oldest rows, yet after every dated one
    task(owner, "Undated B")
    for days in (9, 2, 5):
        task(owner, f"In {days} days", NOW + dt.timedelta(days=days))
    client = client_for(owner)
    seen = []
    for number in (1, 2, 3):
        html = subjects(client.get(f"/agenda/?tab=upcoming&page={number}"))
        seen += [
            s
            for s in ("In 2 days", "In 5 days", "In 9 days", "Undated A", "Undated B")
            if f">{s}<" in html
        ]
    assert seen == ["In 2 days", "In 5 days", "In 9 days", "Undated A", "Undated B"]


def test_a_count_past_the_cap_says_so(owner, frozen_now, monkeypatch):
    monkeypatch.setattr(activity_rows, "COUNT_CAP", 3)
    for i in range(3):
        task(owner, f"Late {i}", NOW - dt.timedelta(days=1))
        task(owner, f"Later {i}", NOW + dt.timedelta(days=3))
    task(owner, "One more late", NOW - dt.timedelta(days=2))
    html = subjects(client_for(owner).get("/agenda/"))
    assert 'Overdue <span class="tabcount tabcount--alert">3+</span>' in html
    assert 'Upcoming <span class="tabcount">3</span>' in html  # exact up to the cap


def test_a_capped_list_says_so_and_next_still_reaches_its_end(owner, frozen_now, monkeypatch):
    monkeypatch.setattr(activity_rows, "COUNT_CAP", 3)
    monkeypatch.setattr(agenda, "PAGE_SIZE", 2)
    for i in range(9):
        task(owner, f"Task {i}", NOW + dt.timedelta(days=2, hours=i))
    client = client_for(owner)
    first = subjects(client.get("/agenda/?tab=upcoming"))
    assert "1–2 of 3+" in first and "Page 1</span>" in first and 'rel="next"' in first
    seen, url = [], "/agenda/?tab=upcoming"
    for _ in range(10):
        html = subjects(client.get(url))
        seen += [f"Task {i}" for i in range(9) if f">Task {i}<" in html]
        following = re.search(r'<a [^>]*href="([^"]+)"[^>]*rel="next"', html)
        if following is None:
            break
        url = "/agenda/" + following.group(1).replace("&amp;", "&")
    assert seen == [f"Task {i}" for i in range(9)]
    assert "9–9 of 9" in html and "Page 5 of 5" in html


def test_the_index_conditions_are_the_querysets_conditions():
    assert OPEN_ONLY.children == [("status__in", list(Activity.ACTIVE))]
    assert DONE_ONLY.children == [("status__in", list(Activity.DONE))]


def test_capped_counts_keep_the_tenancy_boundary(owner):
    with pytest.raises(UnscopedQueryError):
        count_up_to(everything=(Activity.objects.all(), 10))
    mine = Activity.objects.for_account(owner.account)
    task(owner, "One", None)
    assert count_up_to(all=(mine, 10), none=(mine.none(), 10)) == {"all": 1, "none": 0}


def test_rows_link_to_their_contact_company_and_deal(owner, frozen_now):
    contact = ContactFactory(account=owner.account, first_name="Ada", last_name="Byron")
    activity = task(owner, "Call Ada", NOW - dt.timedelta(hours=2), contact=contact)
    html = subjects(client_for(owner).get("/agenda/"))
    assert f'href="/contacts/{contact.pk}/"' in html
    assert "Ada Byron" in html
    assert f"/agenda/activities/{activity.pk}/complete/" in html


def test_it_shows_my_activities_by_default_and_everyones_on_request(owner, teammate):
    task(owner, "Mine", None)
    task(teammate, "Tom's", None)
    client = client_for(owner)
    assert "Tom&#x27;s" not in subjects(client.get("/agenda/?tab=upcoming"))
    everyone = subjects(client.get("/agenda/?tab=upcoming&owner=all"))
    assert "Mine" in everyone and "Tom&#x27;s" in everyone
    only_tom = subjects(client.get(f"/agenda/?tab=upcoming&owner={teammate.user.pk}"))
    assert "Tom&#x27;s" in only_tom and "Mine" not in only_tom


def test_it_filters_by_type(owner):
    task(owner, "Ring them", None, type=Activity.Type.CALL)
    task(owner, "Write it", None, type=Activity.Type.TASK)
    html = subjects(client_for(owner).get("/agenda/?tab=upcoming&type=call"))
    assert "Ring them" in html and "Write it" not in html


def test_another_accounts_activities_never_appear(owner, outsider):
    task(outsider, "Globex secret", None)
    client = client_for(owner)
    for tab in ("overdue", "today", "upcoming", "done"):
        html = subjects(client.get(f"/agenda/?tab={tab}&owner=all"))
        assert "Globex secret" not in html


def test_an_outsider_as_owner_filter_is_refused_and_reset(owner, outsider):
    task(owner, "Mine", None)
    response = client_for(owner).get(f"/agenda/?tab=upcoming&owner={outsider.user.pk}")
    assert response.status_code == 200
    html = subjects(response)
    assert "were not understood" in html
    assert "Mine" in html  # fell back to "me"


@pytest.mark.parametrize(
    "query", ["tab=nope", "page=abc", "page=9999", "type=<b>", "owner=12abc", "tab=done&page=-1"]
)
def test_bad_parameters_never_fail(owner, query):
    task(owner, "Mine", None)
    assert client_for(owner).get(f"/agenda/?{query}").status_code == 200


def test_a_nul_byte_is_a_bad_request_not_an_error(owner):
    assert client_for(owner).get("/agenda/?owner=%00").status_code == 400


def test_it_paginates(owner):
    for i in range(30):
        task(owner, f"Task {i:02d}", None)
    client = client_for(owner)
    first = subjects(client.get("/agenda/?tab=upcoming"))
    second = subjects(client.get("/agenda/?tab=upcoming&page=2"))
    assert "1–25 of 30" in first and "Next" in first
    assert "26–30 of 30" in second


def test_htmx_gets_only_the_results(owner):
    task(owner, "Mine", None)
    client = client_for(owner)
    response = client.get("/agenda/?tab=upcoming", **htmx(HTTP_HX_TARGET="agenda-results"))
    html = subjects(response)
    assert "Mine" in html and "<html" not in html
    assert "HX-Request" in response["Vary"]
    tabs = subjects(client.get("/agenda/?tab=upcoming", **htmx(HTTP_HX_TARGET="agenda-tabs")))
    assert 'id="agenda-tabs"' in tabs and "Mine" not in tabs


def queries_for(client, url, **extra):
    with capture_queries() as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return ctx


@pytest.mark.parametrize(
    "url",
    [
        "/agenda/",
        "/agenda/?tab=upcoming&owner=all",
        "/agenda/?tab=done&type=call",
        "/agenda/?owner=none",
        "/agenda/?tab=upcoming&page=2",
    ],
)
def test_queries_do_not_grow_with_activities(owner, teammate, url):
    contact = ContactFactory(account=owner.account)

    def grow(n):
        for actor in (owner, teammate):
            for i in range(n):
                for due, status in ((-1, "pending"), (1, "pending"), (None, "in_progress")):
                    task(
                        actor,
                        f"A{i}",
                        due_at=None
                        if due is None
                        else (dt.datetime.now(UTC) + dt.timedelta(days=due)),
                        status=status,
                        contact=contact,
                        type="call",
                    )
                ActivityFactory(
                    account=owner.account,
                    owner=actor.user,
                    type="call",
                    status="completed",
                    completed_at=dt.datetime.now(UTC),
                )
            ActivityFactory(
                account=owner.account,
                owner=None,
                due_at=dt.datetime.now(UTC) - dt.timedelta(days=1),
            )

    client = client_for(owner)
    grow(2)
    small = queries_for(client, url)
    grow(20)
    large = queries_for(client, url)
    assert_same_count(small, large, at_most=7)  # the page's count comes with the tabs'


def plans_of_activity_queries(client, url) -> list[str]:
    """EXPLAIN of each activity query the page runs, with sequential scans, bitmap
    scans and sorts priced out: what remains is an ordered index range, if any index
    fits the query (PostgreSQL falls back to the priced-out plan when none does)."""
    statements = queries_for(client, url).matching("activities_activity")
    with connection.cursor() as cursor:
        # This test's statistics, not those earlier tests left (test order changed plans).
        cursor.execute("ANALYZE activities_activity")
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        plans = []
        for sql in statements:
            cursor.execute("EXPLAIN " + sql)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


@pytest.mark.single_node_plan
@pytest.mark.parametrize("tab", ["overdue", "today", "upcoming", "done"])
@pytest.mark.parametrize("owner_filter", ["", "&owner=all", "&owner=none", "&type=call"])
def test_each_tab_is_an_index_range_in_list_order(owner, frozen_now, tab, owner_filter):
    for user in (owner.user, None):  # a row in every tab, for every filter
        for due_at in (
            NOW - dt.timedelta(hours=1),
            NOW + dt.timedelta(hours=1),
            NOW + dt.timedelta(days=1),
            None,
        ):
            for status in ("pending", "cancelled"):
                ActivityFactory(
                    account=owner.account, owner=user, type="call", due_at=due_at, status=status
                )
    plans = plans_of_activity_queries(client_for(owner), f"/agenda/?tab={tab}{owner_filter}")
    assert len(plans) == 2  # the counts and the page
    for plan in plans:
        assert "Sort" not in plan and "Seq Scan" not in plan and "Bitmap" not in plan, plan
        assert not re.search(r"Filter: .*due_at", plan), plan  # a range, not a walk
    index = "done" if tab == "done" else "open"
    assert re.search(rf"Index Scan (Backward )?using activity_{index}_by_\w+ ", plans[1]), plans[1]


# -- the actions ----------------------------------------------------------------------


def test_complete_from_htmx_removes_the_row_and_says_so(owner):
    activity = task(owner, "Send quote", None)
    response = client_for(owner).post(
        f"/agenda/activities/{activity.pk}/complete/", {"next": "/"}, **htmx()
    )
    assert response.status_code == 200
    assert response.content == b""
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["toast"] == "Completed “Send quote”."
    assert "activity-changed" in trigger
    activity.refresh_from_db()
    assert activity.status == Activity.Status.COMPLETED
    assert activity.completed_at is not None


def test_start_from_htmx_returns_the_row_in_progress(owner):
    activity = task(owner, "Draft proposal", None)
    response = client_for(owner).post(
        f"/agenda/activities/{activity.pk}/start/", {"next": "/agenda/"}, **htmx()
    )
    assert response.status_code == 200
    html = subjects(response)
    assert f'id="activity-{activity.pk}"' in html and "In progress" in html
    assert "/start/" not in html  # cannot start twice
    activity.refresh_from_db()
    assert activity.status == Activity.Status.IN_PROGRESS


def test_cancel_without_javascript_redirects_back_with_a_message(owner):
    activity = task(owner, "Old idea", None)
    client = client_for(owner)
    response = client.post(
        f"/agenda/activities/{activity.pk}/cancel/", {"next": "/agenda/?tab=upcoming"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/agenda/?tab=upcoming"
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED
    assert "Cancelled “Old idea”." in subjects(client.get(response["Location"]))


def test_an_illegal_transition_is_a_clear_409_not_a_500(owner):
    activity = task(
        owner, "Done already", None, status="completed", completed_at=dt.datetime.now(UTC)
    )
    client = client_for(owner)
    for action in ("start", "complete", "cancel"):
        response = client.post(f"/agenda/activities/{activity.pk}/{action}/", **htmx())
        assert response.status_code == 409
        assert f"Cannot {action} an activity that is completed." in subjects(response)
        assert "Cannot" in json.loads(response["HX-Trigger"])["toast"]
    activity.refresh_from_db()
    assert activity.status == Activity.Status.COMPLETED


def test_an_illegal_transition_without_javascript_redirects_with_the_reason(owner):
    activity = task(owner, "Called off", None, status="cancelled")
    client = client_for(owner)
    response = client.post(f"/agenda/activities/{activity.pk}/start/", {"next": "/agenda/"})
    assert response.status_code == 302
    assert "Cannot start an activity that is cancelled." in subjects(client.get("/agenda/"))


def test_a_teammate_can_complete_my_activity(owner, teammate):
    activity = task(owner, "Shared", None)
    response = client_for(teammate).post(f"/agenda/activities/{activity.pk}/complete/", **htmx())
    assert response.status_code == 200


@pytest.mark.parametrize("action", ["start", "complete", "cancel"])
def test_an_outsider_gets_a_404_and_changes_nothing(owner, outsider, action):
    activity = task(owner, "Private", None)
    response = client_for(outsider).post(f"/agenda/activities/{activity.pk}/{action}/", **htmx())
    assert response.status_code == 404
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PENDING


def test_actions_need_post_and_sign_in(owner):
    activity = task(owner, "Private", None)
    url = f"/agenda/activities/{activity.pk}/complete/"
    assert client_for(owner).get(url).status_code == 405
    assert Client().post(url).status_code == 302


def test_next_cannot_send_the_user_elsewhere(owner):
    activity = task(owner, "Private", None)
    response = client_for(owner).post(
        f"/agenda/activities/{activity.pk}/complete/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/agenda/"
