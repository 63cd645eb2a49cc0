"""The dashboard and global search in a real browser, under the strict CSP."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from activities.models import Activity
from tests.browser.conftest import PHONE
from tests.factories import ActivityFactory, ContactFactory, DealFactory, PipelineFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_activity_is_completed_from_the_dashboard_with_one_click(signed_in, owner):
    page = signed_in
    now = dt.datetime.now(dt.UTC)
    late = ActivityFactory(
        account=owner.account,
        owner=owner.user,
        subject="Call Ada back",
        due_at=now - dt.timedelta(hours=3),
    )
    ActivityFactory(
        account=owner.account,
        owner=owner.user,
        subject="Send the deck",
        due_at=now - dt.timedelta(hours=2),
    )
    page.goto("/")
    expect(page.locator('[data-stat="overdue"]')).to_have_text("2")

    page.get_by_role("button", name="Complete “Call Ada back”").click()

    page.locator(f"#activity-{late.pk}").wait_for(state="detached")
    expect(page.locator("#toast")).to_have_text("Completed “Call Ada back”.")
    expect(page.locator('[data-stat="overdue"]')).to_have_text("1")
    late.refresh_from_db()
    assert late.status == Activity.Status.COMPLETED
    expect(page.get_by_role("link", name="Send the deck", exact=True)).to_be_visible()
    assert page.csp_errors == []


def test_an_activity_is_started_then_completed_from_the_agenda(signed_in, owner):
    page = signed_in
    activity = ActivityFactory(
        account=owner.account,
        owner=owner.user,
        subject="Write proposal",
        due_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
    )
    page.goto("/agenda/?tab=upcoming")
    page.get_by_role("button", name="Start “Write proposal”").click()
    page.locator(f"#activity-{activity.pk}").get_by_text("In progress").wait_for()
    page.get_by_role("button", name="Complete “Write proposal”").click()
    page.locator(f"#activity-{activity.pk}").wait_for(state="detached")
    expect(page.get_by_text("Nothing left in this list.")).to_be_visible()
    activity.refresh_from_db()
    assert activity.status == Activity.Status.COMPLETED
    assert page.csp_errors == []


def test_global_search_from_the_header(signed_in, owner):
    page = signed_in
    contact = ContactFactory(account=owner.account, first_name="Grace", last_name="Hopper")
    DealFactory(pipeline=PipelineFactory(account=owner.account), title="Hopper expansion")
    page.goto("/")
    box = page.get_by_label("Search everything")
    box.fill("grac hop")
    box.press("Enter")
    page.wait_for_url("**/search/?q=grac+hop")
    expect(page.locator(".search-summary")).to_contain_text("Top matches for “grac hop”")
    expect(page.get_by_label("Search everything")).to_have_value("grac hop")
    page.get_by_role("link", name="Grace Hopper").click()  # "<mark>Grac</mark>e ..."
    page.wait_for_url(f"**/contacts/{contact.pk}/")
    assert page.csp_errors == []


def test_the_dashboard_fits_a_phone(signed_in, owner):
    page = signed_in
    page.set_viewport_size(PHONE)
    ActivityFactory(
        account=owner.account,
        owner=owner.user,
        subject="Phone check",
        due_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
    )
    DealFactory(pipeline=PipelineFactory(account=owner.account))
    page.goto("/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    expect(page.get_by_role("button", name="Complete “Phone check”")).to_be_visible()
    assert page.csp_errors == []


def test_the_agenda_filters_by_owner_and_switches_tabs_in_place(signed_in, owner, teammate):
    page = signed_in
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    ActivityFactory(account=owner.account, owner=owner.user, subject="My own task", due_at=later)
    ActivityFactory(account=owner.account, owner=teammate.user, subject="Tom's task", due_at=later)
    page.goto("/agenda/")
    page.get_by_role("link", name="Upcoming 1").click()
    page.wait_for_url("**/agenda/?tab=upcoming")
    expect(page.get_by_role("link", name="My own task", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Tom's task", exact=True)).to_have_count(0)
    page.get_by_label("Owner").select_option("all")
    expect(page.get_by_role("link", name="Tom's task", exact=True)).to_be_visible()
    assert "owner=all" in page.url and "tab=upcoming" in page.url
    assert page.csp_errors == []
