"""Rate limits: the token endpoint and the sign-in page per client and per username;
the API per token. Each answers 429 with Retry-After."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
          "LOCATION": "throttle-tests"}


@pytest.fixture
def rates(monkeypatch, settings):
    """Real counters and small rates for the test; counters cleared before and after."""
    settings.CACHES = {"default": LOCMEM, "throttles": LOCMEM}
    small = {"api": "5/min", "login_ip": "4/min", "login_username": "3/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", small)
    cache.clear()
    yield small
    cache.clear()


def token_attempt(client, username, password="wrong", ip="10.0.0.1"):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password},
                       format="json", REMOTE_ADDR=ip)


def test_token_attempts_are_limited_per_username(rates):
    UserFactory(username="ann")
    client = APIClient()
    statuses = [token_attempt(client, "ann", ip=f"10.0.0.{i}").status_code for i in range(4)]
    assert statuses == [400, 400, 400, 429]
    response = token_attempt(client, "ANN", ip="10.9.9.9")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    # Another username from a fresh address is not affected.
    assert token_attempt(client, "bob", ip="10.9.9.8").status_code == 400


def test_token_attempts_are_limited_per_client(rates):
    client = APIClient()
    statuses = [token_attempt(client, f"user{i}", ip="10.1.1.1").status_code for i in range(5)]
    assert statuses[:4] == [400] * 4 and statuses[4] == 429
    assert token_attempt(client, "other", ip="10.1.1.2").status_code == 400


def test_the_right_password_is_refused_too_while_throttled(rates):
    UserFactory(username="ann")
    client = APIClient()
    for _ in range(3):
        token_attempt(client, "ann")
    response = token_attempt(client, "ann", password="pw")
    assert response.status_code == 429
    assert "token" not in response.json()


def test_api_requests_are_limited_per_token(rates, owner, teammate):
    statuses = [owner.client.get("/api/v1/me/").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    assert "Retry-After" in owner.client.get("/api/v1/me/")
    assert teammate.client.get("/api/v1/me/").status_code == 200


def test_the_sign_in_page_is_limited_too(rates):
    UserFactory(username="ann")
    client = Client()
    statuses = [
        client.post("/login/", {"username": "ann", "password": "x"}, REMOTE_ADDR=f"10.2.0.{i}")
        .status_code
        for i in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    response = client.post("/login/", {"username": "ann", "password": "pw"})
    assert response.status_code == 429 and response["Retry-After"]
    assert "Too many attempts" in response.content.decode()


def test_rates_come_from_settings():
    rates = api_settings.DEFAULT_THROTTLE_RATES
    assert set(rates) >= {"api", "login_ip", "login_username"}

