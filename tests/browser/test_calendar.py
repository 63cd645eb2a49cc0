"""The calendar in a real browser, under the strict CSP: rescheduling by dragging an
activity to another day, and by its keyboard alternative ("Move to…")."""

import datetime as dt
import zoneinfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def monday(owner) -> dt.date:
    """This week's Monday in the account's zone (Paris)."""
    owner.account.time_zone = "Europe/Paris"
    owner.account.save()
    today = dt.datetime.now(PARIS).date()
    return today - dt.timedelta(days=today.weekday())


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


def test_an_activity_is_rescheduled_by_dragging_it_to_another_day(signed_in, owner, monday):
    page = signed_in
    activity = ActivityFactory(
        account=owner.account, owner=owner.user, subject="Call Ada", due_at=at(monday, 10)
    )
    wednesday = monday + dt.timedelta(days=2)
    page.goto("/calendar/")
    item = page.locator(f"#cal-activity-{activity.pk}")
    target = page.locator(f'.cal-day[data-date="{wednesday.isoformat()}"]')

    item.drag_to(target)

    expect(page.locator("#toast")).to_have_text(
        f"Moved “Call Ada” to {wednesday:%a %-d %b}, 10:00."
    )
    # The grid reloads from the server with the activity in its new day.
    expect(target.locator(f"#cal-activity-{activity.pk}")).to_be_visible()
    activity.refresh_from_db()
    assert activity.due_at == at(wednesday, 10)
    assert page.csp_errors == []


def test_an_activity_is_rescheduled_with_the_keyboard(signed_in, owner, monday):
    page = signed_in
    activity = ActivityFactory(
        account=owner.account, owner=owner.user, subject="Send deck", due_at=at(monday, 15)
    )
    friday = monday + dt.timedelta(days=4)
    page.goto("/calendar/")
    move = page.get_by_text("Move “Send deck”…")
    move.focus()
    page.keyboard.press("Enter")  # opens the <details>
    page.keyboard.press("Tab")
    date = page.locator(f"#cal-activity-{activity.pk} input[name=date]")
    expect(date).to_be_focused()
    date.fill(friday.isoformat())
    page.keyboard.press("Tab")  # the time, kept
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # "Move"

    friday_cell = page.locator(f'.cal-day[data-date="{friday.isoformat()}"]')
    expect(friday_cell.locator(f"#cal-activity-{activity.pk}")).to_be_visible()
    activity.refresh_from_db()
    assert activity.due_at == at(friday, 15)
    assert page.csp_errors == []


def test_the_feed_address_is_copied_and_the_month_fits_a_phone(signed_in, owner, monday):
    page = signed_in
    ActivityFactory(account=owner.account, owner=owner.user, subject="Demo", due_at=at(monday, 9))
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/calendar/")
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("[data-copy-status]")).to_have_text("Copied.")
    page.get_by_role("link", name="Month").click()
    expect(page.locator(".cal--month")).to_be_visible()
    page.set_viewport_size(PHONE)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    assert page.csp_errors == []
