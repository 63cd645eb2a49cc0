"""Browser tests: Playwright for Python driving Debian's headless Chromium.

Where /usr/bin/chromium is missing these tests are skipped with a message saying how
to install it; with REQUIRE_BROWSER=1 (set by .ci/run) a missing browser fails instead.
"""

import os
import shutil

import pytest

from tests.conftest import make_actor

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests
# make around it are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        return
    message = (
        f"Chromium not found at {CHROMIUM}: install it with `apt-get install -y chromium` "
        "to run the browser tests."
    )
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(message + " (REQUIRE_BROWSER=1 makes this an error)")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=message))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.csp_errors = []
    page.on(
        "console",
        lambda msg: (
            page.csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None
        ),
    )
    yield page
    context.close()


@pytest.fixture
def signed_in(page, owner):
    """A page signed in as the owner (password "pw")."""
    sign_in(page, owner.user.username)
    return page


def sign_in(page, username, password="pw"):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


__all__ = ["make_actor", "sign_in", "DESKTOP", "PHONE"]
