"""The calendar on a touch screen (Playwright's touch emulation, real touch input
through the DevTools protocol): press and hold an activity, drag it to another day,
lift: it is rescheduled. A quick swipe is a scroll and moves nothing. And the
keyboard's "Next day"."""

import datetime as dt
import zoneinfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db(transaction=True)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TABLET = {"width": 1024, "height": 900}


@pytest.fixture
def monday(owner) -> dt.date:
    owner.account.time_zone = "Europe/Paris"
    owner.account.save()
    today = dt.datetime.now(PARIS).date()
    return today - dt.timedelta(days=today.weekday())


@pytest.fixture
def touch_page(browser, live_server, owner):
    context = browser.new_context(
        viewport=TABLET, base_url=live_server.url, has_touch=True, is_mobile=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_errors = []
    page.on(
        "console",
        lambda msg: (
            page.csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    sign_in(page, owner.user.username)
    yield page
    context.close()


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS)


def center(locator) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 12)


def touch(cdp, kind: str, x: float, y: float) -> None:
    points = [] if kind == "touchEnd" else [{"x": x, "y": y, "id": 1}]
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})


def drag_by_touch(page, source, target, *, hold_ms: int) -> None:
    """A finger on `source`, held `hold_ms`, moved in steps onto `target`, lifted."""
    cdp = page.context.new_cdp_session(page)
    (x0, y0), (x1, y1) = center(source), center(target)
    touch(cdp, "touchStart", x0, y0)
    page.wait_for_timeout(hold_ms)
    steps = 8
    for step in range(1, steps + 1):
        touch(cdp, "touchMove", x0 + (x1 - x0) * step / steps, y0 + (y1 - y0) * step / steps)
        page.wait_for_timeout(20)
    touch(cdp, "touchEnd", x1, y1)


def test_press_hold_and_drag_moves_an_activity_to_another_day(touch_page, owner, monday):
    page = touch_page
    activity = ActivityFactory(
        account=owner.account, owner=owner.user, subject="Call Ada", due_at=at(monday, 10)
    )
    thursday = monday + dt.timedelta(days=3)
    page.goto("/calendar/")
    item = page.locator(f"#cal-activity-{activity.pk}")
    target = page.locator(f'.cal-day[data-date="{thursday.isoformat()}"]')

    drag_by_touch(page, item.locator(".cal-item__subject"), target, hold_ms=450)

    expect(page.locator("#toast")).to_have_text(f"Moved “Call Ada” to {thursday:%a %-d %b}, 10:00.")
    expect(target.locator(f"#cal-activity-{activity.pk}")).to_be_visible()
    expect(page.locator(".cal-item--ghost")).to_have_count(0)
    activity.refresh_from_db()
    assert activity.due_at == at(thursday, 10)
    assert page.csp_errors == []


def test_a_quick_swipe_is_not_a_drag(touch_page, owner, monday):
    page = touch_page
    activity = ActivityFactory(
        account=owner.account, owner=owner.user, subject="Call Ada", due_at=at(monday, 10)
    )
    page.goto("/calendar/")
    item = page.locator(f"#cal-activity-{activity.pk}")
    target = page.locator(f'.cal-day[data-date="{(monday + dt.timedelta(days=3)).isoformat()}"]')

    drag_by_touch(page, item.locator(".cal-item__subject"), target, hold_ms=0)

    page.wait_for_timeout(500)
    expect(page.locator(".cal-item--ghost")).to_have_count(0)
    expect(page.locator(".cal-day--drop")).to_have_count(0)
    activity.refresh_from_db()
    assert activity.due_at == at(monday, 10)


def test_pointer_events_of_a_pen_drag_too(touch_page, owner, monday):
    """Pointer events as a pen (or any non-mouse pointer) sends them, dispatched."""
    page = touch_page
    activity = ActivityFactory(
        account=owner.account, owner=owner.user, subject="Send deck", due_at=at(monday, 15)
    )
    tuesday = monday + dt.timedelta(days=1)
    page.goto("/calendar/")
    item = page.locator(f"#cal-activity-{activity.pk} .cal-item__subject")
    target = page.locator(f'.cal-day[data-date="{tuesday.isoformat()}"]')
    (x0, y0), (x1, y1) = center(item), center(target)
    init = {"pointerId": 9, "pointerType": "pen", "isPrimary": True, "bubbles": True}
    item.dispatch_event("pointerdown", {**init, "clientX": x0, "clientY": y0})
    page.wait_for_timeout(450)
    expect(page.locator(".cal-item--ghost")).to_have_count(1)
    target.dispatch_event("pointermove", {**init, "clientX": x1, "clientY": y1})
    expect(target).to_have_class("cal-day cal-day--drop")
    target.dispatch_event("pointerup", {**init, "clientX": x1, "clientY": y1})

    # The card moves at once; the toast comes with the server's answer (the save).
    expect(page.locator("#toast")).to_have_text(f"Moved “Send deck” to {tuesday:%a %-d %b}, 15:00.")
    expect(target.locator(f"#cal-activity-{activity.pk}")).to_be_visible()
    activity.refresh_from_db()
    assert activity.due_at == at(tuesday, 15)


def test_next_day_with_the_keyboard(touch_page, owner, monday):
    page = touch_page
    activity = ActivityFactory(
        account=owner.account, owner=owner.user, subject="Send deck", due_at=at(monday, 15)
    )
    page.goto("/calendar/")
    main = page.locator("main")
    main.get_by_text("Move “Send deck”…").focus()
    page.keyboard.press("Enter")
    button = main.get_by_role("button", name="Next day for “Send deck”", exact=True)
    button.focus()
    page.keyboard.press("Enter")
    tuesday = monday + dt.timedelta(days=1)
    cell = page.locator(f'.cal-day[data-date="{tuesday.isoformat()}"]')
    expect(cell.locator(f"#cal-activity-{activity.pk}")).to_be_visible()
    activity.refresh_from_db()
    assert activity.due_at == at(tuesday, 15)
