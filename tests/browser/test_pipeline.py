"""The pipeline board in a real browser: drag, keyboard and the card menu, under the
strict Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from deals.models import Deal
from deals.services import deal_win
from events.models import Source
from tests.browser.conftest import PHONE
from tests.factories import CompanyFactory, DealFactory, PipelineFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def board(owner):
    pipeline = PipelineFactory(account=owner.account, name="Sales")
    company = CompanyFactory(account=owner.account, name="Initech")
    deal = DealFactory(
        pipeline=pipeline,
        title="TPS licence",
        company=company,
        owner=owner.user,
        value_cents=1_000_000,
    )
    return pipeline, deal


def stage_id(pipeline, name):
    return pipeline.stages.get(name=name).pk


def column(page, pipeline, name):
    return page.locator(f'.column__cards[data-stage="{stage_id(pipeline, name)}"]')


def test_a_deal_moves_by_drag_and_drop(signed_in, board):
    page = signed_in
    pipeline, deal = board
    page.goto("/pipeline/")
    card = page.locator(f"#deal-{deal.pk}")
    target = column(page, pipeline, "Proposal")
    box, drop = card.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 10)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(
            box["x"] + 20 + (drop["x"] + 40 - box["x"] - 20) * step / 10, drop["y"] + 40
        )
    page.mouse.up()
    column(page, pipeline, "Proposal").locator(f"#deal-{deal.pk}").wait_for()
    page.locator("#toast").get_by_text("moved to Proposal").wait_for()
    deal.refresh_from_db()
    assert deal.stage.name == "Proposal"
    assert page.csp_errors == []


def test_a_deal_moves_with_the_keyboard(signed_in, board):
    page = signed_in
    pipeline, deal = board
    page.goto("/pipeline/")
    card = page.locator(f"#deal-{deal.pk}")
    card.focus()
    page.keyboard.press("Shift+ArrowRight")
    column(page, pipeline, "Qualified").locator(f"#deal-{deal.pk}").wait_for()
    # The card keeps the focus, so the next key press moves it on.
    expect(page.locator(f"#deal-{deal.pk}")).to_be_focused()
    page.keyboard.press("Shift+ArrowRight")
    column(page, pipeline, "Proposal").locator(f"#deal-{deal.pk}").wait_for()
    deal.refresh_from_db()
    assert deal.stage.name == "Proposal"
    assert page.csp_errors == []


def test_a_deal_moves_with_the_menu_using_only_the_keyboard(signed_in, board):
    page = signed_in
    pipeline, deal = board
    page.goto("/pipeline/")
    page.locator(f"#deal-{deal.pk} summary").focus()
    page.keyboard.press("Enter")  # opens the Actions menu
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"move-{deal.pk}"
    page.locator(f"#move-{deal.pk}").select_option(label="Negotiation")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the Move button
    column(page, pipeline, "Negotiation").locator(f"#deal-{deal.pk}").wait_for()
    deal.refresh_from_db()
    assert deal.stage.name == "Negotiation"
    assert page.csp_errors == []


def test_a_deal_is_won_from_its_card(signed_in, board):
    page = signed_in
    _pipeline, deal = board
    page.goto("/pipeline/")
    card = page.locator(f"#deal-{deal.pk}")
    card.get_by_text("Actions").click()
    card.get_by_role("button", name="Won").click()
    card.wait_for(state="detached")
    page.locator("#toast").get_by_text("won").wait_for()
    expect(page.locator(".board-summary")).to_contain_text("10,000 USD")
    deal.refresh_from_db()
    assert deal.status == Deal.Status.WON
    assert page.csp_errors == []


def test_a_deal_is_lost_with_a_reason_from_the_deal_page(signed_in, board):
    page = signed_in
    _pipeline, deal = board
    page.goto(f"/deals/{deal.pk}/")
    page.get_by_label("Lost? Tell us why").fill("Chose a competitor")
    page.get_by_role("button", name="Mark as lost").click()
    page.get_by_text("marked as lost").wait_for()
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason) == (Deal.Status.LOST, "Chose a competitor")
    page.get_by_role("button", name="Reopen deal").click()
    page.get_by_text("reopened").wait_for()
    deal.refresh_from_db()
    assert deal.is_open
    assert page.csp_errors == []


def test_a_refused_move_shows_why_and_restores_the_board(signed_in, board):
    page = signed_in
    pipeline, deal = board
    page.goto("/pipeline/")
    meanwhile = Deal.objects.for_account(deal.account_id).get(pk=deal.pk)
    deal_win(deal=meanwhile, by=None, source=Source.SYSTEM)  # closed meanwhile
    page.locator(f"#deal-{deal.pk}").focus()
    page.keyboard.press("Shift+ArrowRight")
    page.locator("#toast").get_by_text("Cannot move a deal that is won").wait_for()
    page.locator(f"#deal-{deal.pk}").wait_for(state="detached")  # the refreshed board
    assert page.csp_errors == []


def test_the_board_fits_a_phone(page, owner, board):
    from tests.browser.conftest import sign_in

    page.set_viewport_size(PHONE)
    sign_in(page, owner.user.username)
    page.goto("/pipeline/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.csp_errors == []
