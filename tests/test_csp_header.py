"""The strict Content-Security-Policy on the API's HTML pages (Swagger UI, the
browsable API), and pages that need no exception from it (tests/browser/test_csp.py
checks the same in a real browser)."""

import re

import pytest
from django.test import Client

from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def browser(owner):
    client = Client()
    client.force_login(owner.user)
    return client


@pytest.mark.parametrize(
    "path",
    ["/api/docs/", "/api/v1/crm/contacts/", "/api/v1/crm/tags/", "/api/v1/crm/contacts/{contact}/"],
)
def test_the_apis_html_pages_are_served_under_the_strict_policy_with_nothing_inline(
    browser, owner, path
):
    contact = ContactFactory(account=owner.account)
    response = browser.get(path.format(contact=contact.pk), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    html = response.content.decode()
    assert "<style" not in html
    assert not re.search(r"\sstyle=", html)
    assert not INLINE_SCRIPT.search(html)
    assert not re.search(r"\son[a-z]+=", html)  # no event-handler attributes


def test_only_the_admin_allows_inline_styles(browser):
    assert "'unsafe-inline'" not in browser.get("/api/docs/")["Content-Security-Policy"]
    assert "'unsafe-inline'" in policy(browser.get("/admin/login/"))["style-src"]
