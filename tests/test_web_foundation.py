"""The UI's foundation: the strict Content-Security-Policy, sign-in, the account switcher."""

import re

import pytest
from django.test import Client

from accounts.models import Membership
from tests.factories import AccountFactory, ContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(owner):
    client = Client()
    client.force_login(owner.user)
    return client


@pytest.mark.parametrize("path", ["/", "/contacts/", "/pipeline/", "/login/", "/api/docs/"])
def test_every_page_sends_a_strict_content_security_policy(web, path):
    response = web.get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


def test_only_the_admin_may_use_inline_styles(web):
    policy = web.get("/admin/login/")["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy + ";"


@pytest.mark.parametrize("path", ["/", "/contacts/", "/pipeline/", "/agenda/", "/notes/"])
def test_pages_have_no_inline_script_or_handlers(web, path):
    html = web.get(path).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "on*= handler"
    assert not re.search(r"\sstyle\s*=", html), "style attribute (blocked by the CSP)"


def test_pages_need_a_signed_in_user():
    response = Client().get("/contacts/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_forms_are_protected_against_csrf(owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    assert client.post("/contacts/new/", {"first_name": "Eve"}).status_code == 403


def test_the_account_switcher_changes_what_pages_show(owner):
    second = AccountFactory(name="Second Co")
    MembershipFactory(account=second, user=owner.user, role=Membership.Role.MEMBER)
    ContactFactory(account=owner.account, first_name="FirstAccountPerson")
    ContactFactory(account=second, first_name="SecondAccountPerson")
    client = Client()
    client.force_login(owner.user)
    page = client.get("/contacts/").content.decode()
    assert "FirstAccountPerson" in page and "SecondAccountPerson" not in page
    response = client.post("/account/switch/", {"account": second.pk, "next": "/contacts/"})
    assert response.status_code == 302 and response["Location"] == "/contacts/"
    page = client.get("/contacts/").content.decode()
    assert "SecondAccountPerson" in page and "FirstAccountPerson" not in page


def test_switching_to_an_account_you_are_not_in_changes_nothing(owner, outsider):
    ContactFactory(account=outsider.account, first_name="OutsiderPerson")
    client = Client()
    client.force_login(owner.user)
    client.post("/account/switch/", {"account": outsider.account.pk})
    assert "OutsiderPerson" not in client.get("/contacts/").content.decode()


def test_the_switcher_never_redirects_off_site(owner):
    client = Client()
    client.force_login(owner.user)
    response = client.post(
        "/account/switch/", {"account": owner.account.pk, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_no_template_has_a_comment_that_would_show_on_the_page():
    # Django's {# #} comment ends at the line's end: a multi-line one is printed as text.
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    templates = [p for p in root.glob("**/templates/**/*.html") if ".venv" not in p.parts]
    assert templates
    broken = [
        f"{path.relative_to(root)}:{number}"
        for path in templates
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert broken == []


def test_pages_show_no_template_comment_text(web):
    html = web.get("/").content.decode()
    assert "{#" not in html and "#}" not in html
