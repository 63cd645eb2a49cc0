"""A request that finds the session gone leads to sign-in and back to the page the
user was on (web/signin_return.py): over htmx as a full-page `HX-Redirect`, never the
sign-in form swapped into a list; after a form POST back to the page, never to the
POST-only action (a 405 after signing in)."""

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def next_of(url: str) -> list[str]:
    parts = urlsplit(url)
    assert parts.path == "/login/"
    return parse_qs(parts.query).get("next", [])


@pytest.fixture
def action(owner):
    activity = ActivityFactory(account=owner.account)
    return f"/agenda/activities/{activity.pk}/complete/"


def test_an_htmx_action_sends_the_browser_to_sign_in_and_back_to_the_page(action):
    response = Client().post(
        action, HTTP_HX_CURRENT_URL="http://testserver/agenda/?when=week", **HTMX
    )
    assert response.status_code == 200
    assert response.content == b""  # nothing to swap into the list
    assert next_of(response["HX-Redirect"]) == ["/agenda/?when=week"]
    assert "HX-Request" in response["Vary"]


def test_an_htmx_partial_returns_to_the_page_not_the_partial():
    response = Client().get(
        "/contacts/?search=ada", HTTP_HX_CURRENT_URL="http://testserver/contacts/", **HTMX
    )
    assert next_of(response["HX-Redirect"]) == ["/contacts/"]


def test_signing_in_after_it_lands_on_the_page_with_a_get(owner, action):
    hx_redirect = Client().post(action, HTTP_HX_CURRENT_URL="http://testserver/agenda/", **HTMX)[
        "HX-Redirect"
    ]
    client = Client()
    assert client.get(hx_redirect).status_code == 200
    signed_in = client.post(
        hx_redirect, {"username": owner.user.username, "password": "pw"}, follow=True
    )
    assert signed_in.redirect_chain[-1] == ("/agenda/", 302)
    assert signed_in.status_code == 200


def test_another_sites_current_url_is_not_a_place_to_return_to(action):
    response = Client().post(action, HTTP_HX_CURRENT_URL="https://evil.example/agenda/", **HTMX)
    assert response["HX-Redirect"] == "/login/"


def test_an_htmx_request_without_its_current_url_signs_in_to_the_dashboard(action):
    assert Client().post(action, **HTMX)["HX-Redirect"] == "/login/"


def test_a_plain_form_post_returns_to_the_page_it_was_sent_from(action):
    response = Client().post(action, HTTP_REFERER="http://testserver/contacts/7/")
    assert response.status_code == 302
    assert next_of(response["Location"]) == ["/contacts/7/"]


def test_a_plain_form_post_without_a_referer_does_not_return_to_the_action(action):
    response = Client().post(action)
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_a_plain_page_load_keeps_djangos_next():
    response = Client().get("/agenda/?when=week")
    assert response.status_code == 302
    assert next_of(response["Location"]) == ["/agenda/?when=week"]


def test_a_signed_in_users_htmx_request_is_untouched(owner, action):
    client = Client()
    client.force_login(owner.user)
    response = client.post(action, HTTP_HX_CURRENT_URL="http://testserver/agenda/", **HTMX)
    assert response.status_code == 200 and "HX-Redirect" not in response


def test_an_htmx_post_refused_by_the_csrf_check_while_signed_out_goes_to_sign_in(action):
    client = Client(enforce_csrf_checks=True)
    response = client.post(action, HTTP_HX_CURRENT_URL="http://testserver/agenda/", **HTMX)
    assert next_of(response["HX-Redirect"]) == ["/agenda/"]


def test_a_signed_in_users_csrf_refusal_stays_a_403(owner, action):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    response = client.post(action, HTTP_HX_CURRENT_URL="http://testserver/agenda/", **HTMX)
    assert response.status_code == 403 and "HX-Redirect" not in response


def test_signing_out_still_lands_on_the_plain_sign_in_page(owner):
    client = Client()
    client.force_login(owner.user)
    response = client.post("/logout/", HTTP_REFERER="http://testserver/contacts/")
    assert response.status_code == 302 and response["Location"] == "/login/"


# A background request (the bell's poll, a field's validation as the user leaves it) never
# takes the page away: signed out it is answered 204, and htmx swaps nothing.

BACKGROUND = {**HTMX, "HTTP_RELAY_BACKGROUND": "1"}


def test_the_bells_poll_while_signed_out_leaves_the_page_alone():
    response = Client().get(
        "/notifications/bell/?seen=0",
        HTTP_HX_CURRENT_URL="http://testserver/contacts/new/",
        **BACKGROUND,
    )
    assert response.status_code == 204
    assert response.content == b"" and "HX-Redirect" not in response
    assert "Relay-Background" in response["Vary"] and "HX-Request" in response["Vary"]


def test_a_fields_validation_refused_by_the_csrf_check_while_signed_out_leaves_the_form():
    response = Client(enforce_csrf_checks=True).post(
        "/contacts/new/",
        {"_validate": "email", "email": "ada@"},
        HTTP_HX_CURRENT_URL="http://testserver/contacts/new/",
        **BACKGROUND,
    )
    assert response.status_code == 204 and "HX-Redirect" not in response


def test_only_the_value_1_marks_a_request_as_background(action):
    response = Client().post(
        action, HTTP_HX_CURRENT_URL="http://testserver/agenda/", HTTP_RELAY_BACKGROUND="0", **HTMX
    )
    assert next_of(response["HX-Redirect"]) == ["/agenda/"]


def test_without_htmx_the_header_changes_nothing(action):
    response = Client().post(
        action, HTTP_REFERER="http://testserver/agenda/", HTTP_RELAY_BACKGROUND="1"
    )
    assert response.status_code == 302 and next_of(response["Location"]) == ["/agenda/"]


def test_a_signed_in_users_background_request_is_answered(owner):
    client = Client()
    client.force_login(owner.user)
    response = client.get("/notifications/bell/?seen=", **BACKGROUND)
    assert response.status_code == 200 and b'id="bell"' in response.content


def test_the_background_requests_are_marked_and_the_users_actions_are_not(owner):
    """The header is set in the templates: the bell and the contact form's validating
    fields carry it; the agenda's complete button (an action the user takes) does not."""
    client = Client()
    client.force_login(owner.user)
    marked = """hx-headers='{"Relay-Background": "1"}'"""

    def opening_tag(html: str, pattern: str) -> str:
        return re.search(rf"<[a-z]+\b[^>]*{pattern}[^>]*>", html).group(0)

    form = client.get("/contacts/new/").content.decode()
    assert marked in opening_tag(form, 'id="bell"')
    assert marked in opening_tag(form, 'id="id_email_field"')
    assert marked in opening_tag(form, 'id="duplicate-hint"')
    task = ActivityFactory(
        account=owner.account,
        owner=owner.user,
        due_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1),
    )
    agenda = client.get("/agenda/?tab=overdue").content.decode()
    assert marked not in opening_tag(agenda, f'hx-post="/agenda/activities/{task.pk}/complete/"')
