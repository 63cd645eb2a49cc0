"""Working with activities in a real browser, under the strict CSP: reschedule from a
list by shortcut, and log a call with a follow-up in one submit."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from activities.models import Activity
from tests.factories import ActivityFactory, ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_reschedule_by_shortcut_from_the_agenda(signed_in, owner):
    page = signed_in
    zone = owner.account.zone
    due = dt.datetime.now(zone).replace(hour=14, minute=45, second=0, microsecond=0)
    due -= dt.timedelta(days=2)  # overdue
    activity = ActivityFactory(
        account=owner.account, owner=owner.user, subject="Chase invoice", due_at=due
    )
    page.goto("/agenda/?tab=overdue")
    row = page.locator(f"#activity-{activity.pk}")
    row.locator("summary", has_text="Reschedule").click()
    row.get_by_role("button", name="Tomorrow (reschedule “Chase invoice”)").click()

    expect(page.locator("#toast")).to_contain_text("“Chase invoice” moved to")
    activity.refresh_from_db()
    tomorrow = dt.datetime.now(zone).date() + dt.timedelta(days=1)
    local = activity.due_at.astimezone(zone)
    assert (local.date(), local.hour, local.minute) == (tomorrow, 14, 45)
    expect(page.locator(".agenda-tabs .tabcount").first).to_have_text("0")
    assert page.csp_errors == []


def test_log_a_call_with_a_follow_up(signed_in, owner):
    page = signed_in
    contact = ContactFactory(account=owner.account, first_name="Ada", last_name="Lovelace")
    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_role("link", name="Log a call").click()
    page.get_by_label("Subject").fill("Discovery call")
    page.get_by_label("Notes").fill("Wants a demo next week")
    page.get_by_label("And schedule a follow-up").check()
    page.get_by_label("Follow-up", exact=True).fill("Send the demo invite")
    page.get_by_role("button", name="Tomorrow").click()
    due_value = page.locator("#id_follow_up_due_at").input_value()
    assert due_value.endswith("T09:00")
    page.get_by_role("button", name="Log it").click()

    page.wait_for_url(f"**/contacts/{contact.pk}/")
    expect(
        page.get_by_text("Call logged. Follow-up “Send the demo invite” scheduled.")
    ).to_be_visible()
    logged = Activity.objects.for_account(owner.account).get(subject="Discovery call")
    follow_up = Activity.objects.for_account(owner.account).get(subject="Send the demo invite")
    assert (logged.type, logged.status, logged.contact_id) == ("call", "completed", contact.pk)
    assert (follow_up.status, follow_up.contact_id) == ("pending", contact.pk)
    tomorrow = dt.datetime.now(owner.account.zone).date() + dt.timedelta(days=1)
    assert follow_up.due_at.astimezone(owner.account.zone).date() == tomorrow
    # Both are on the contact's timeline, each linking to its page.
    expect(page.locator(f'a[href="/activities/{follow_up.pk}/"]').first).to_be_visible()
    assert page.csp_errors == []
