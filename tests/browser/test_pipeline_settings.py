"""The pipeline settings in a real browser: a brand-new account's owner creates a
pipeline (it comes with the default stages), renames one of them and adds one,
reorders by drag, and creates a deal in it; under the strict Content-Security-Policy,
at desktop and phone widths, light and dark."""

import os
import re

import pytest
from playwright.sync_api import expect

from accounts.services import account_create
from deals.models import Deal, Pipeline, Stage
from tests.browser.conftest import PHONE, sign_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("SCREENSHOT_DIR")  # set it to look at the pages


def shoot(page, name):
    if SHOTS:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            page.screenshot(path=f"{SHOTS}/{name}-{scheme}.png", full_page=True)
        page.emulate_media(color_scheme="light")


def add_stage(main, name, probability):
    main.get_by_role("textbox", name="Stage name", exact=True).fill(name)
    main.get_by_role("spinbutton", name="Probability (%)", exact=True).fill(str(probability))
    main.get_by_role("button", name="Add stage", exact=True).click()
    main.get_by_role("textbox", name=f"Name of stage {name}", exact=True).wait_for()


def rename_stage(main, old, new):
    main.get_by_role("textbox", name=f"Name of stage {old}", exact=True).fill(new)
    main.get_by_role("button", name=f"Save {old}", exact=True).click()
    main.get_by_role("textbox", name=f"Name of stage {new}", exact=True).wait_for()


def test_a_new_owner_sets_up_a_pipeline_reorders_by_drag_and_creates_a_deal(page):
    account = account_create(name="Fresh Co", username="fresh", password="pw")
    sign_in(page, "fresh")
    page.goto("/settings/pipelines/")
    main = page.get_by_role("main")
    main.get_by_role("textbox", name="Name", exact=True).fill("Renewals")
    main.get_by_role("button", name="Create pipeline", exact=True).click()
    main.get_by_role("heading", name="Renewals", exact=True).wait_for()
    pipeline = Pipeline.objects.for_account(account).get(name="Renewals")
    # Usable at once: it has the stages a new account's first pipeline has.
    for name in ("Lead", "Qualified", "Proposal", "Negotiation"):
        stage = main.get_by_role("textbox", name=f"Name of stage {name}", exact=True)
        expect(stage).to_be_visible()
    rename_stage(main, "Lead", "Contacted")
    add_stage(main, "Signed", 90)

    def order():
        return list(
            Stage.objects.for_account(account)
            .filter(pipeline=pipeline)
            .values_list("name", flat=True)
        )

    assert order() == ["Contacted", "Qualified", "Proposal", "Negotiation", "Signed"]
    ids = dict(
        Stage.objects.for_account(account).filter(pipeline=pipeline).values_list("name", "pk")
    )
    shoot(page, "pipeline-settings")

    # Drag "Signed" by its handle above "Contacted".
    handle = main.locator(f"#stage-{ids['Signed']} .stage__handle")
    first = main.locator(f"#stage-{ids['Contacted']}")
    box, drop = handle.bounding_box(), first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    # In small steps, with time for SortableJS to swap as it passes each stage, and a
    # rest over the drop place before letting go (a fast drag skipped the last swap).
    x = box["x"] + box["width"] / 2
    for step in range(1, 31):
        page.mouse.move(x, box["y"] + (drop["y"] + 3 - box["y"]) * step / 30)
        page.wait_for_timeout(15)
    page.mouse.move(x, drop["y"] + 2)
    page.wait_for_timeout(300)
    page.mouse.up()
    # expect() polls without eval (the strict CSP refuses wait_for_function's).
    expect(page.locator('#stages li.stage [name="stages"]').first).to_have_value(str(ids["Signed"]))
    expect(page.locator(".stages--busy")).to_have_count(0)
    assert order() == ["Signed", "Contacted", "Qualified", "Proposal", "Negotiation"]

    # The keyboard way: Move down on "Signed" keeps the focus on that button.
    main.get_by_role("button", name="Move down Signed", exact=True).click()
    # The button has the focus as it is clicked: wait for the swapped list as well.
    expect(page.locator('#stages li.stage [name="stages"]').first).to_have_value(
        str(ids["Contacted"])
    )
    expect(page.locator(":focus")).to_have_id(re.compile(r"-down$"))
    assert order() == ["Contacted", "Signed", "Qualified", "Proposal", "Negotiation"]

    page.goto(f"/deals/new/?pipeline={pipeline.pk}")
    main.get_by_role("textbox", name="Title", exact=True).fill("Annual renewal")
    main.get_by_role("combobox", name="Stage", exact=True).select_option(label="Signed")
    main.get_by_role("button", name="Create deal", exact=True).click()
    page.wait_for_url(lambda url: "/deals/new/" not in url)
    deal = Deal.objects.for_account(account).get(title="Annual renewal")
    assert (deal.pipeline_id, deal.stage.name) == (pipeline.pk, "Signed")
    assert page.csp_errors == []

    page.set_viewport_size(PHONE)
    page.goto(f"/settings/pipelines/{pipeline.pk}/")
    shoot(page, "pipeline-settings-phone")


def test_a_member_reads_the_settings_without_forms(page, owner, teammate, pipeline):
    teammate.user.set_password("pw")
    teammate.user.save()
    sign_in(page, teammate.user.username)
    page.goto(f"/settings/pipelines/{pipeline.pk}/")
    main = page.get_by_role("main")
    expect(main.get_by_text("Only an owner or admin")).to_be_visible()
    expect(main.get_by_role("button", name="Add stage", exact=True)).to_have_count(0)
    shoot(page, "pipeline-settings-member")
    page.goto("/pipeline/")
    shoot(page, "board")
    assert page.csp_errors == []
