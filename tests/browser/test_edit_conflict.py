"""In a real browser: a record's History tab, and an edit form saved over a change made
elsewhere shows that change (announced, focused) and saves only when asked to.

With SCREENSHOTS=1 it also writes screenshots/history-*.png and conflict-*.png at
desktop and phone width, light and dark (screenshots/ is not committed)."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from contacts.models import Contact
from events.models import Source
from events.services import event_append
from tests.factories import ContactFactory, DealFactory

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def shoot(page, name):
    """Screenshots of the current page in every size and colour scheme, when asked."""
    if os.environ.get("SCREENSHOTS") != "1":
        return
    SHOTS.mkdir(exist_ok=True)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=SHOTS / f"{name}-{size}-{scheme}.png", full_page=True)
    page.set_viewport_size(SIZES["desktop"])
    page.emulate_media(color_scheme="light")


def change_elsewhere(actor, contact, **fields):
    """Another user's write through the API, with its event."""
    before = {name: getattr(contact, name) for name in fields}
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.save()
    event_append(
        account=actor.account,
        by=actor.user,
        source=Source.API,
        record_type="contact",
        record_id=contact.pk,
        action="updated",
        changes={name: [before[name], value] for name, value in fields.items()},
        data={"updated_at": contact.updated_at.isoformat()},
    )


def test_the_history_tab_shows_who_changed_what(signed_in, owner, teammate, pipeline):
    page = signed_in
    teammate.user.first_name, teammate.user.last_name = "Tom", "Teal"
    teammate.user.save()
    contact = ContactFactory(
        account=owner.account,
        first_name="Grace",
        last_name="Hopper",
        email="grace@navy.mil",
        title="Commander",
    )
    change_elsewhere(teammate, contact, title="Rear Admiral", email="grace@example.com")
    page.goto(f"/contacts/{contact.pk}/")
    page.get_by_role("link", name="History", exact=True).click()
    history = page.locator("#history")
    expect(history).to_contain_text("Tom Teal")
    expect(history).to_contain_text("Rear Admiral")
    expect(page.get_by_role("link", name="History", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    assert page.url.endswith(f"/contacts/{contact.pk}/")  # swapped in place over htmx
    expect(page.locator("#record-tab-history")).to_be_focused()
    shoot(page, "history-contact")
    page.get_by_role("link", name="Timeline", exact=True).click()
    expect(page.locator(".timeline-card")).to_be_visible()

    stages = list(pipeline.stages.order_by("position"))
    deal = DealFactory(
        account=owner.account, pipeline=pipeline, stage=stages[1], title="Navy contract"
    )
    event_append(
        account=owner.account,
        by=owner.user,
        source=Source.UI,
        record_type="deal",
        record_id=deal.pk,
        action="created",
        data={"stage": stages[0].pk},
    )
    event_append(
        account=owner.account,
        by=teammate.user,
        source=Source.UI,
        record_type="deal",
        record_id=deal.pk,
        action="moved",
        changes={"stage": [stages[0].pk, stages[1].pk], "probability": [None, 30]},
    )
    page.goto(f"/deals/{deal.pk}/history/")
    expect(page.locator(".stage-visits")).to_contain_text("In Qualified since")
    shoot(page, "history-deal")
    assert page.csp_errors == []


def test_saving_over_a_change_made_elsewhere_shows_it_then_saves_when_asked(
    signed_in, owner, teammate
):
    page = signed_in
    teammate.user.first_name, teammate.user.last_name = "Tom", "Teal"
    teammate.user.save()
    contact = ContactFactory(
        account=owner.account, first_name="Grace", last_name="Hopper", title="Commander"
    )
    page.goto(f"/contacts/{contact.pk}/edit/")
    page.get_by_label("Last name").fill("Murray Hopper")
    change_elsewhere(teammate, contact, title="Rear Admiral")  # while the form is open
    page.get_by_role("button", name="Save changes").click()

    alert = page.get_by_role("alert").filter(has_text="while you were editing")
    expect(alert).to_contain_text("Tom Teal")
    expect(alert).to_contain_text("Rear Admiral")
    expect(alert).to_be_focused()
    stored = Contact.objects.for_account(owner.account).get(pk=contact.pk)
    assert (stored.last_name, stored.title) == ("Hopper", "Rear Admiral")
    shoot(page, "conflict-contact")

    page.get_by_role("button", name="Save my version anyway").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Murray Hopper")
    stored.refresh_from_db()
    assert stored.last_name == "Murray Hopper"
    assert page.csp_errors == []
