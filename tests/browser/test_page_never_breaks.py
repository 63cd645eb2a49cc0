"""The page never breaks (issue 17): an htmx action after the session expired leads to
sign-in and back to the same page; a failed htmx request is explained in an announced
message; a button shows progress while its request runs; menus close on Escape and on
an outside click; the navigation fits a phone; every focusable thing shows its ring."""

import datetime as dt
import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from activities.models import Activity
from tests.browser.conftest import PHONE, sign_in
from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db(transaction=True)

COMPLETE = "**/agenda/activities/*/complete/"


@pytest.fixture
def task(owner):
    return ActivityFactory(
        account=owner.account,
        owner=owner.user,
        subject="Call Ada back",
        due_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
    )


def complete_button(page):
    return page.get_by_role("button", name="Complete “Call Ada back”")


def test_an_htmx_action_after_the_session_expired_signs_in_and_returns(signed_in, owner, task):
    page = signed_in
    page.goto("/agenda/?tab=overdue")
    page.wait_for_load_state("networkidle")  # the bell's first asks (on load, on focus) answered
    Session.objects.all().delete()  # the session expires on the server

    complete_button(page).click()

    page.wait_for_url("**/login/?next=*")
    expect(page.locator("#main .activity form")).to_have_count(0)  # nothing swapped into a list
    page.get_by_label("Username").fill(owner.user.username)
    page.get_by_label("Password").fill("pw")
    response_statuses = []
    page.on("response", lambda r: response_statuses.append(r.status))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/agenda/?tab=overdue")
    assert 405 not in response_statuses
    expect(complete_button(page)).to_be_visible()  # back on the page, the task still open
    task.refresh_from_db()
    assert task.status == Activity.Status.PENDING
    assert page.csp_errors == []


def test_background_requests_after_the_session_expired_leave_the_form_alone(signed_in, owner):
    """The bell's poll and a field's validation are not the user's doing: with the
    session gone they must not take away the half-filled form (a 204, nothing swapped);
    the user's own submit then leads to sign-in and back to the form."""
    page = signed_in
    page.goto("/contacts/new/")
    page.wait_for_load_state("networkidle")  # the bell's first asks (on load, on focus) answered
    page.get_by_label("First name").fill("Ada")
    Session.objects.all().delete()  # the session expires on the server

    with page.expect_response("**/notifications/bell/*") as bell:
        page.evaluate("window.dispatchEvent(new Event('focus'))")  # the bell asks on focus
    assert bell.value.status == 204
    with page.expect_response(lambda r: r.request.method == "POST") as validation:
        page.get_by_label("Email").fill("ada@")
        page.get_by_label("Email").press("Tab")  # leaving the field validates it
    assert validation.value.status == 204

    expect(page).to_have_url(re.compile(r"/contacts/new/$"))
    expect(page.get_by_label("First name")).to_have_value("Ada")
    expect(page.get_by_label("Email")).to_have_value("ada@")
    page.get_by_role("button", name="Create contact").click()
    page.wait_for_url("**/login/?next=%2Fcontacts%2Fnew%2F")
    assert page.csp_errors == []


def test_a_server_error_is_shown_and_announced(signed_in, task):
    page = signed_in
    page.goto("/agenda/?tab=overdue")
    page.route(COMPLETE, lambda route: route.fulfill(status=500, body="<h1>Server Error</h1>"))

    complete_button(page).click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Something went wrong on our side (error 500)")
    expect(page.locator(f"#activity-{task.pk}")).to_be_visible()  # the row stays
    expect(complete_button(page)).not_to_have_attribute("aria-busy", "true")
    alert.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#request-error")).to_be_empty()
    assert page.csp_errors == []


def test_a_refusal_in_plain_words_is_shown_as_it_is(signed_in, task):
    page = signed_in
    page.goto("/agenda/?tab=overdue")
    page.route(
        COMPLETE,
        lambda route: route.fulfill(
            status=409, body="This activity was cancelled meanwhile.", content_type="text/plain"
        ),
    )
    complete_button(page).click()
    expect(page.get_by_role("alert")).to_have_text("This activity was cancelled meanwhile.Dismiss")


def test_a_lost_connection_is_shown_and_announced(signed_in, task):
    page = signed_in
    page.goto("/agenda/?tab=overdue")
    page.route(COMPLETE, lambda route: route.abort("connectionrefused"))
    complete_button(page).click()
    expect(page.locator("#request-error")).to_contain_text("Could not reach the server")


def test_a_button_is_busy_while_its_request_runs(signed_in, task):
    page = signed_in
    page.goto("/agenda/?tab=overdue")
    held = []
    page.route(COMPLETE, lambda route: held.append(route))

    complete_button(page).click(no_wait_after=True)

    expect(complete_button(page)).to_have_attribute("aria-busy", "true")
    spinner = complete_button(page).evaluate("b => getComputedStyle(b, '::after').animationName")
    assert spinner == "busy-spin"
    held[0].continue_()
    expect(page.locator(f"#activity-{task.pk}")).to_have_count(0)


def test_the_user_menu_closes_on_escape_and_outside_click_and_gives_focus_back(signed_in):
    page = signed_in
    page.goto("/")
    menu = page.locator(".usermenu")
    summary = menu.locator("summary")

    summary.focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    page.keyboard.press("Tab")  # into the menu
    page.keyboard.press("Escape")
    expect(menu).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()

    summary.click()
    expect(menu).to_have_attribute("open", "")
    page.get_by_role("heading", level=1).click()
    expect(menu).not_to_have_attribute("open", "")


def test_the_navigation_keeps_every_link_on_a_phone_screen(browser, live_server, owner):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url)
    page = context.new_page()
    sign_in(page, owner.user.username)
    links = page.get_by_role("navigation", name="Main").get_by_role("link")
    assert links.count() >= 7
    for link in links.all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            link.inner_text()
        )
        expect(link).to_be_in_viewport()
    context.close()


def test_a_dashboard_card_shows_a_focus_ring_to_the_keyboard(signed_in):
    page = signed_in
    page.goto("/")
    card = page.locator("a.dash-stat").first
    for _ in range(40):
        page.keyboard.press("Tab")
        if card.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the dashboard card never got the focus")
    style = card.evaluate(
        "el => { const s = getComputedStyle(el); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert style[0] == "solid" and float(style[1].removesuffix("px")) >= 2
