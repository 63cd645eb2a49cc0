"""axe-core (npm, pinned in package-lock.json) on every main page, in the light and the
dark colour scheme: no serious or critical violation.

The pages are bench/screenshots.py's `main_pages()` (the settings of pipelines and tags
among them), filled with records that have a history. axe runs as a Playwright init
script, which the Content-Security-Policy does not govern, so the app ships nothing
for it."""

from pathlib import Path

import pytest

from bench.screenshots import main_pages
from contacts.services import contact_update
from customfields.services import custom_field_create
from events.kinds import kind_named
from events.models import Source
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    ContactTagFactory,
    DealFactory,
    NoteFactory,
)
from trash.services import records_trash

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = {"serious", "critical"}
RUN_AXE = """async (selector) => {
  const results = await axe.run(selector || document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""


@pytest.fixture
def axe_source():
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make assets` (npm ci) first")
    return AXE.read_text()


@pytest.fixture
def pages(owner):
    """Every main page of the owner's account, its records with a history."""
    account = owner.account
    company = CompanyFactory(account=account, name="Initech")
    CompanyFactory(account=account, name="Initech Labs", parent=company)
    contact = ContactFactory(
        account=account, first_name="Ada", last_name="Lovelace", company=company
    )
    ContactTagFactory(contact=contact)
    ContactFactory(account=account, first_name="ADA", last_name="lovelace")  # a likely twin
    deal = DealFactory(pipeline__account=account, title="Engines", contact=contact, company=company)
    # A deal in the trash: the pipeline's page shows a stage that cannot be deleted.
    trashed = DealFactory(pipeline=deal.pipeline, title="Old engines")
    records_trash(kind_named("deal"), rows=[trashed], by=None, source=Source.UI)
    NoteFactory(account=account, contact=contact, body="<p>Met at the fair.</p>")
    NoteFactory(account=account, deal=deal, body="<p>Wants a quote.</p>")
    ActivityFactory(account=account, owner=owner.user, contact=contact, subject="Send the quote")
    # Custom fields of every type: their form fields, page rows, list filters and columns.
    for key, kind, options in [
        ("source", "select", ["web", "event"]),
        ("score", "number", []),
        ("newsletter", "boolean", []),
        ("renewal", "date", []),
        ("nickname", "text", []),
    ]:
        custom_field_create(
            account=account,
            data={"record_type": "contact", "key": key, "type": kind, "options": options},
        )
    contact_update(
        contact=contact,
        by=owner.user,
        source=Source.UI,
        data={"custom_fields": {"source": "web", "score": 3, "newsletter": True}},
    )
    return main_pages(account)


def serious_violations(page, selector: str | None = None) -> list[dict]:
    """axe's serious and critical findings on the page (or the part `selector` names)."""
    return [v for v in page.evaluate(RUN_AXE, selector) if v["impact"] in SERIOUS]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_main_page_has_a_serious_accessibility_violation(
    browser, live_server, owner, pages, axe_source, scheme
):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url, color_scheme=scheme)
    context.set_default_timeout(15_000)
    context.add_init_script(axe_source)
    page = context.new_page()
    found = {}

    page.goto("/login/")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    found["login"] = serious_violations(page)
    sign_in(page, owner.user.username)
    for name, path in pages.items():
        response = page.goto(path)
        assert response and response.status == 200, f"{name} ({path}): {response.status}"
        page.wait_for_load_state("networkidle")
        found[name] = serious_violations(page)
    context.close()

    report = [
        f"{name} {v['id']} ({v['impact']}, {v['help']}): {node}"
        for name, violations in found.items()
        for v in violations
        for node in v["nodes"]
    ]
    assert report == [], f"{scheme} scheme:\n" + "\n".join(report)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_header_at_phone_width_has_no_serious_accessibility_violation(
    browser, live_server, owner, axe_source, scheme
):
    # At 390 px the header hides the user menu's name and account: its toggle must
    # still have an accessible name (axe's summary-name rule).
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, color_scheme=scheme)
    context.set_default_timeout(15_000)
    context.add_init_script(axe_source)
    page = context.new_page()
    sign_in(page, owner.user.username)
    page.goto("/contacts/")
    page.wait_for_load_state("networkidle")
    found = serious_violations(page)
    context.close()
    assert found == [], [(v["id"], v["nodes"]) for v in found]
