"""An activity's fields edited in place, with the keyboard only, under the strict CSP:
open a field, change it, Enter saves and the value comes back with the focus; Esc
cancels and gives the focus back; a stale edit shows the conflict."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.factories import ActivityFactory, ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)


def open_page(page, activity):
    page.goto(f"/activities/{activity.pk}/")
    return page.locator("main")


def edit_link(main, label, value):
    return main.get_by_role("link", name=f"Edit {label}: {value}", exact=True)


def focus_and_open(page, link):
    link.focus()
    page.keyboard.press("Enter")


def test_a_subject_is_changed_with_the_keyboard_and_enter_saves(signed_in, owner):
    page = signed_in
    activity = ActivityFactory(account=owner.account, owner=owner.user, subject="Send the quote")
    main = open_page(page, activity)
    focus_and_open(page, edit_link(main, "subject", "Send the quote"))

    field = main.get_by_role("textbox", name="Subject", exact=True)
    expect(field).to_be_focused()
    page.keyboard.type("Call Ada back")  # the text was selected: typing replaces it
    page.keyboard.press("Enter")

    saved = edit_link(main, "subject", "Call Ada back")
    expect(saved).to_be_focused()
    expect(main.get_by_role("heading", level=1)).to_contain_text("Call Ada back")
    expect(page.locator("#toast")).to_have_text("Subject saved.")
    activity.refresh_from_db()
    assert activity.subject == "Call Ada back"
    assert page.csp_errors == []


def test_escape_cancels_and_gives_the_focus_back(signed_in, owner):
    page = signed_in
    activity = ActivityFactory(account=owner.account, owner=owner.user, subject="Send the quote")
    main = open_page(page, activity)
    focus_and_open(page, edit_link(main, "subject", "Send the quote"))
    expect(main.get_by_role("textbox", name="Subject", exact=True)).to_be_focused()
    page.keyboard.type("Never saved")
    page.keyboard.press("Escape")

    expect(edit_link(main, "subject", "Send the quote")).to_be_focused()
    expect(main.get_by_role("textbox", name="Subject", exact=True)).to_have_count(0)
    activity.refresh_from_db()
    assert activity.subject == "Send the quote"


def test_a_choice_is_changed_with_the_arrow_keys_and_enter(signed_in, owner):
    page = signed_in
    ContactFactory(account=owner.account, first_name="Ada", last_name="Byron", email="")
    activity = ActivityFactory(account=owner.account, owner=owner.user, type="task")
    main = open_page(page, activity)
    focus_and_open(page, edit_link(main, "type", "Task"))
    select = main.get_by_role("combobox", name="Type", exact=True)
    expect(select).to_be_focused()
    select.select_option("meeting")  # what the arrow keys do on a closed select
    page.keyboard.press("Enter")
    expect(edit_link(main, "type", "Meeting")).to_be_focused()
    activity.refresh_from_db()
    assert activity.type == "meeting"


def test_a_due_date_is_set_with_a_shortcut_and_saved(signed_in, owner):
    page = signed_in
    activity = ActivityFactory(account=owner.account, owner=owner.user, due_at=None)
    main = open_page(page, activity)
    focus_and_open(page, edit_link(main, "due", "not set"))
    expect(main.get_by_label("Due", exact=True)).to_be_focused()
    main.get_by_role("button", name="Tomorrow", exact=True).press("Enter")
    main.get_by_role("button", name="Save due", exact=True).press("Enter")
    expect(main.get_by_role("link", name="Edit due:")).to_contain_text("tomorrow")
    activity.refresh_from_db()
    assert activity.due_at is not None
    assert activity.due_at.date() in {
        dt.date.today() + dt.timedelta(days=1),
        dt.date.today() + dt.timedelta(days=2),
    }


def test_bad_input_shows_the_error_in_place(signed_in, owner):
    page = signed_in
    activity = ActivityFactory(account=owner.account, owner=owner.user, subject="Keep")
    main = open_page(page, activity)
    focus_and_open(page, edit_link(main, "subject", "Keep"))
    expect(main.get_by_role("textbox", name="Subject", exact=True)).to_be_focused()
    page.keyboard.press("Backspace")
    page.keyboard.press("Enter")
    expect(main.get_by_role("alert")).to_have_text("This field is required.")
    expect(main.get_by_role("textbox", name="Subject", exact=True)).to_be_focused()
    expect(page.locator("#request-error")).to_be_empty()


def test_a_stale_edit_shows_the_conflict_and_saves_nothing(signed_in, owner, teammate):
    from activities.services import activity_update
    from events.models import Source

    page = signed_in
    activity = ActivityFactory(account=owner.account, owner=owner.user, subject="Mine")
    main = open_page(page, activity)
    focus_and_open(page, edit_link(main, "subject", "Mine"))
    expect(main.get_by_role("textbox", name="Subject", exact=True)).to_be_focused()
    activity_update(
        activity=activity, by=teammate.user, source=Source.UI, data={"subject": "Theirs"}
    )
    page.keyboard.type("Mine, renamed")
    page.keyboard.press("Enter")
    conflict = main.locator("#edit-conflict")
    expect(conflict).to_contain_text("Someone changed this activity while you were editing it")
    expect(conflict).to_be_focused()
    activity.refresh_from_db()
    assert activity.subject == "Theirs"
    main.get_by_role("button", name="Save my version anyway", exact=True).press("Enter")
    expect(edit_link(main, "subject", "Mine, renamed")).to_be_focused()
    activity.refresh_from_db()
    assert activity.subject == "Mine, renamed"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_page_and_an_open_field_pass_axe(browser, live_server, owner, scheme):
    from tests.browser.conftest import DESKTOP, sign_in
    from tests.browser.test_accessibility import AXE, serious_violations

    activity = ActivityFactory(
        account=owner.account,
        owner=owner.user,
        subject="Send the quote",
        contact=ContactFactory(account=owner.account),
        remind_before_minutes=30,
    )
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, color_scheme=scheme)
    context.add_init_script(AXE.read_text())
    page = context.new_page()
    sign_in(page, owner.user.username)
    main = open_page(page, activity)
    found = {"page": serious_violations(page)}
    for label, value in (("due", "not set"), ("description", "not set")):
        focus_and_open(page, edit_link(main, label, value))
        expect(main.locator(".inplace--editing")).to_have_count(1)
        found[label] = serious_violations(page)
        page.keyboard.press("Escape")
        expect(main.locator(".inplace--editing")).to_have_count(0)
    context.close()
    assert all(violations == [] for violations in found.values()), found
