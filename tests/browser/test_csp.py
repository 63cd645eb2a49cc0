"""The API's HTML pages (Swagger UI, the browsable API) under the strict
Content-Security-Policy: a real browser reports no violation, and the policy stays
strict (no 'unsafe-inline') outside the Django admin."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db(transaction=True)

VIOLATIONS = """() => new Promise(resolve => setTimeout(() => resolve(window.__csp || []), 300))"""
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", e => window.__csp.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture
def watched(page):
    """The page, recording every `securitypolicyviolation` event from its first byte."""
    page.add_init_script(LISTEN)
    return page


def violations(page):
    return page.evaluate(VIOLATIONS) + page.csp_errors


def test_swagger_ui_runs_without_a_csp_violation(watched, owner):
    sign_in(watched, owner.user.username)
    watched.goto("/api/docs/")
    watched.locator(".swagger-ui .opblock").first.wait_for()  # the schema was rendered
    watched.locator(".swagger-ui .opblock-summary").first.click()  # expand an operation
    watched.locator(".swagger-ui .opblock-body").first.wait_for()
    assert violations(watched) == [], "\n".join(violations(watched))


@pytest.mark.parametrize(
    "path", ["/api/v1/crm/contacts/", "/api/v1/crm/tags/", "/api/v1/crm/contacts/{contact}/"]
)
def test_the_browsable_api_runs_without_a_csp_violation(watched, owner, path):
    contact = ContactFactory(account=owner.account)
    sign_in(watched, owner.user.username)
    watched.goto(path.format(contact=contact.pk))
    expect(watched.locator(".response-info")).to_be_visible()
    assert watched.locator("form").count()  # the request forms are on the page
    watched.locator("button[data-target='#filtersModal'], .js-tooltip").first.hover()
    assert violations(watched) == [], "\n".join(violations(watched))
