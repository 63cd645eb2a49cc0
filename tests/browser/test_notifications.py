"""A reminder arriving as a notification in a real browser: the job runs, the bell's
count goes up without a reload and is announced, the notification is read from the
page, under the CSP."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.services import activity_create
from events.models import Source
from notifications.tasks import deliver_notifications

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to look at the pages


def test_a_reminder_arrives_in_the_bell_and_is_read(signed_in, owner):
    page = signed_in
    bell = page.locator("#bell")
    bell.wait_for()
    expect(bell).to_have_attribute("hx-get", re.compile(r"=0$"))
    expect(page.locator(".bell__count")).to_have_count(0)
    activity_create(
        account=owner.account,
        by=owner.user,
        source=Source.API,
        data={
            "subject": "Call Ann back",
            "due_at": timezone.now() + dt.timedelta(minutes=10),
            "remind_before_minutes": 15,
            "owner": owner.user,
        },
    )
    deliver_notifications()
    # The bell polls every 30 seconds and when the window regains focus: focus it.
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    page.locator(".bell__count").wait_for()
    expect(page.locator(".bell__count")).to_have_text("1")
    expect(page.locator("#bell-status")).to_have_text("1 unread notification")
    expect(page.get_by_role("link", name="Notifications, 1 unread")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/bell.png")
    page.locator("#bell").click()
    page.wait_for_url("**/notifications/")
    expect(page.get_by_role("link", name="Call Ann back")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/notifications.png", full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Mark “Call Ann back” read").click()
    expect(bell).to_have_attribute("hx-get", re.compile(r"=0$"))
    expect(page.locator(".bell__count")).to_have_count(0)
    assert page.csp_errors == []
