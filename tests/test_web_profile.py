"""The profile page: a user's own details and API token, which they regenerate here."""

import threading

import pytest
from django.db import connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_regenerate
from tests.factories import UserFactory
from tests.web_client import client_for

pytestmark = pytest.mark.django_db


def key_of(actor):
    return Token.objects.get(user=actor.user).key


def api_status(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/v1/me/").status_code


def test_the_profile_shows_the_users_own_details_and_token(owner, teammate):
    page = client_for(owner).get("/profile/")
    assert page.status_code == 200
    assert owner.user.username in page.text and owner.user.email in page.text
    assert key_of(owner) in page.text
    assert key_of(teammate) not in page.text
    assert 'href="/password/"' in page.text


def test_the_profile_is_never_cached(owner):
    assert "no-store" in client_for(owner).get("/profile/")["Cache-Control"]


def test_the_header_menu_links_to_the_profile(owner):
    assert 'href="/profile/"' in client_for(owner).get("/").text


def test_a_user_without_a_token_creates_one(owner):
    Token.objects.filter(user=owner.user).delete()
    client = client_for(owner)
    assert "Create token" in client.get("/profile/").text
    response = client.post("/profile/token/")
    assert response.status_code == 302 and response.url == "/profile/"
    key = key_of(owner)
    assert key in client.get("/profile/").text
    assert api_status(key) == 200


def test_regenerating_the_token_deletes_the_old_key(owner, teammate):
    old, teammates = key_of(owner), key_of(teammate)
    assert client_for(owner).post("/profile/token/").status_code == 302
    new = key_of(owner)
    assert new != old
    assert api_status(old) == 401 and api_status(new) == 200
    assert key_of(teammate) == teammates


def test_the_token_is_regenerated_only_by_a_csrf_protected_post(owner):
    old = key_of(owner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    assert client.post("/profile/token/").status_code == 403
    assert client_for(owner).get("/profile/token/").status_code == 405
    assert key_of(owner) == old


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get("/profile/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_the_profile_saves_name_and_email(owner):
    response = client_for(owner).post(
        "/profile/", {"first_name": "Olivia", "last_name": "Ng", "email": "o@example.com"}
    )
    assert response.status_code == 302
    user = User.objects.get(pk=owner.user.pk)
    assert (user.first_name, user.last_name, user.email) == ("Olivia", "Ng", "o@example.com")


def test_a_bad_email_is_shown_again_and_saves_nothing(owner):
    before = owner.user.email
    response = client_for(owner).post(
        "/profile/", {"first_name": "Olivia", "last_name": "", "email": "not an email"}
    )
    assert response.status_code == 200
    assert "field--error" in response.text
    assert User.objects.get(pk=owner.user.pk).email == before


def regenerate_together(user, barrier, errors):
    try:
        barrier.wait()
        api_token_regenerate(user=user)
    except Exception as exc:  # a failed regeneration is the test's finding
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrent writers")
@pytest.mark.django_db(transaction=True)
def test_two_regenerations_at_once_both_succeed_and_leave_one_token():
    user = UserFactory(username="clicker")
    for _round in range(5):
        barrier, errors = threading.Barrier(2), []
        threads = [
            threading.Thread(target=regenerate_together, args=(user, barrier, errors))
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert Token.objects.filter(user=user).count() == 1
