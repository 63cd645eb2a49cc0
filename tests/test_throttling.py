"""Rate limits: signing in (the token endpoint, the sign-in page, the admin's) per client
and per username, counting failures only, with a budget of its own for a client known
for the user; the API per token. Each answers 429 with Retry-After."""

import socket
import uuid

import pytest
import redis
from django.test import Client
from rest_framework.settings import api_settings
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.api.throttles import throttle_counters
from accounts.login_throttles import DEVICE_COOKIE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "throttle-tests"}
# The deployed default: the table accounts' migration 0004 creates.
DATABASE = {
    "BACKEND": "django.core.cache.backends.db.DatabaseCache",
    "LOCATION": "throttle_counters",
}
# With REDIS_URL; database 2 is this suite's own.
REDIS = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/2",
}


def redis_is_running() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.fixture(params=[LOCMEM, DATABASE, REDIS], ids=["locmem", "database", "redis"])
def rates(request, monkeypatch, settings):
    """Real counters and small rates for the test; counters cleared before and after."""
    if request.param is REDIS and not redis_is_running():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    counters = request.param
    if counters is REDIS:
        # A prefix of this test's own: FLUSHDB (the cache's clear()) would also wipe
        # the counters of another test run sharing the Redis database.
        counters = REDIS | {"KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}"}
    settings.CACHES = {"default": LOCMEM, "throttles": counters}
    small = {"api": "5/min", "login_ip": "4/min", "login_username": "3/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", small)
    clear_counters(counters)
    yield small
    clear_counters(counters)


def clear_counters(counters):
    if "KEY_PREFIX" not in counters:
        throttle_counters.clear()
        return
    client = redis.Redis.from_url(counters["LOCATION"])
    try:
        keys = list(client.scan_iter(match=f"{counters['KEY_PREFIX']}:*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def token_attempt(username, password="wrong", ip="10.0.0.1", client=None, **headers):
    """A token request from a client that keeps no cookies, unless one is given."""
    client = client or APIClient()
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=ip,
        **headers,
    )


def sign_in(client, username, password="wrong", ip="10.0.0.1", path="/login/", **headers):
    return client.post(
        path, {"username": username, "password": password}, REMOTE_ADDR=ip, **headers
    )


def guess_from_rotating_addresses(username, attempts=24, path=None):
    """An attacker's wrong passwords for `username`, each from a fresh address."""
    statuses = []
    for i in range(attempts):
        ip = f"198.51.{i // 250}.{i % 250}"
        if path:
            statuses.append(sign_in(Client(), username, ip=ip, path=path).status_code)
        else:
            statuses.append(token_attempt(username, ip=ip).status_code)
    return statuses


# Limits per username and per address, for clients not known for the username.


def test_token_attempts_are_limited_per_username(rates):
    UserFactory(username="ann")
    statuses = [token_attempt("ann", ip=f"10.0.0.{i}").status_code for i in range(4)]
    assert statuses == [400, 400, 400, 429]
    response = token_attempt("ANN", ip="10.9.9.9")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    # Another username from a fresh address is not affected.
    assert token_attempt("bob", ip="10.9.9.8").status_code == 400


def test_token_attempts_are_limited_per_client(rates):
    statuses = [token_attempt(f"user{i}", ip="10.1.1.1").status_code for i in range(5)]
    assert statuses[:4] == [400] * 4 and statuses[4] == 429
    assert token_attempt("other", ip="10.1.1.2").status_code == 400


def test_an_attackers_guesses_from_rotating_addresses_stay_limited_per_username(rates):
    UserFactory(username="ann")
    statuses = guess_from_rotating_addresses("ann")
    assert statuses.count(400) == 3 and statuses.count(429) == 21


def test_the_right_password_from_an_unknown_client_is_refused_while_throttled(rates):
    UserFactory(username="ann")
    for _ in range(3):
        token_attempt("ann")
    response = token_attempt("ann", password="pw")
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
    statuses = [sign_in(client, "ann", ip=f"10.2.0.{i}").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = sign_in(client, "ann", "pw")
    assert response.status_code == 429 and response["Retry-After"]
    assert "Too many attempts" in response.content.decode()


def test_the_admin_sign_in_is_limited_like_the_sign_in_page(rates):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    statuses = guess_from_rotating_addresses("root", attempts=40, path="/admin/login/")
    assert statuses.count(200) == 3 and statuses.count(429) == 37
    client = Client()
    response = sign_in(client, "root", "pw", ip="10.3.0.1", path="/admin/login/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # still signed out


def test_the_admin_sign_in_is_limited_per_address(rates):
    statuses = [
        sign_in(Client(), f"user{i}", ip="10.3.1.1", path="/admin/login/").status_code
        for i in range(5)
    ]
    assert statuses == [200] * 4 + [429]


# The client's address: the peer's, unless trusted proxies are configured.


def test_a_forged_x_forwarded_for_does_not_escape_the_token_endpoints_limit(rates):
    statuses = [
        token_attempt(f"user{i}", ip="10.4.0.1", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(8)
    ]
    assert statuses == [400] * 4 + [429] * 4


def test_a_forged_x_forwarded_for_does_not_escape_the_sign_in_pages_limit(rates, settings):
    for path in ("/login/", "/admin/login/"):
        # This test's own counters: the Redis cache's clear() is a FLUSHDB, which would
        # also wipe those of a test run beside this one (CI's two lanes share Redis).
        clear_counters(settings.CACHES["throttles"])
        statuses = [
            sign_in(
                Client(),
                f"user{i}",
                ip="10.4.0.2",
                path=path,
                HTTP_X_FORWARDED_FOR=f"203.0.113.{i}",
            ).status_code
            for i in range(6)
        ]
        assert statuses == [200] * 4 + [429] * 2, path


def test_behind_a_trusted_proxy_the_address_it_forwards_is_the_client(rates, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    proxy = "10.5.0.1"
    # Different clients behind the proxy each have their own budget...
    statuses = [
        token_attempt(f"user{i}", ip=proxy, HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(8)
    ]
    assert statuses == [400] * 8
    # ...and what a client writes into the header itself (the part left of what the
    # proxy appended) does not make it another client.
    statuses = [
        token_attempt(
            f"user{i}", ip=proxy, HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.99"
        ).status_code
        for i in range(6)
    ]
    assert statuses == [400] * 4 + [429] * 2


# Only failures count.


def test_successful_token_requests_do_not_count(rates):
    office = "10.6.0.1"
    for i in range(6):
        UserFactory(username=f"colleague{i}")
    statuses = [token_attempt(f"colleague{i}", "pw", ip=office).status_code for i in range(6)]
    assert statuses == [200] * 6
    # The office's budget for failures is still whole.
    statuses = [token_attempt(f"typo{i}", ip=office).status_code for i in range(5)]
    assert statuses == [400] * 4 + [429]


def test_successful_sign_ins_do_not_count(rates):
    office = "10.6.0.2"
    for i in range(6):
        UserFactory(username=f"colleague{i}")
    statuses = [sign_in(Client(), f"colleague{i}", "pw", ip=office).status_code for i in range(6)]
    assert statuses == [302] * 6


def test_a_users_repeated_successful_sign_ins_do_not_count(rates):
    UserFactory(username="ann")
    statuses = [token_attempt("ann", "pw", ip=f"10.6.1.{i}").status_code for i in range(6)]
    assert statuses == [200] * 6


# A client known for the user is not locked out by failures elsewhere.


def test_the_users_browser_still_signs_in_after_guesses_from_rotating_addresses(rates):
    ann = UserFactory(username="ann")
    browser = Client()
    assert sign_in(browser, "ann", "pw", ip="10.7.0.1").status_code == 302
    assert DEVICE_COOKIE in browser.cookies
    browser.post("/logout/")
    assert guess_from_rotating_addresses("ann", path="/login/").count(429) == 21
    # From another network (the cookie is what makes the browser known).
    response = sign_in(browser, "ann", "pw", ip="10.7.9.9")
    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(ann.pk)


def test_the_users_api_client_still_gets_a_token_after_guesses_from_rotating_addresses(rates):
    UserFactory(username="ann")
    assert token_attempt("ann", "pw", ip="10.7.1.1").status_code == 200
    assert guess_from_rotating_addresses("ann").count(429) == 21
    # A script that keeps no cookie, from the address it signed in from before.
    response = token_attempt("ann", "pw", ip="10.7.1.1")
    assert response.status_code == 200 and response.json()["token"]


def test_the_admins_browser_still_signs_in_after_guesses_from_rotating_addresses(rates):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    browser = Client()
    assert sign_in(browser, "root", "pw", ip="10.7.2.1", path="/admin/login/").status_code == 302
    browser.post("/admin/logout/")
    assert guess_from_rotating_addresses("root", path="/admin/login/").count(429) == 21
    response = sign_in(browser, "root", "pw", ip="10.7.2.2", path="/admin/login/")
    assert response.status_code == 302
    assert browser.get("/admin/").status_code == 200


def test_a_known_client_has_a_limited_budget_of_its_own(rates):
    UserFactory(username="ann")
    browser = Client()
    sign_in(browser, "ann", "pw", ip="10.8.0.1")
    browser.post("/logout/")
    statuses = [sign_in(browser, "ann", ip="10.8.0.1").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Its failures are its own: they block none of ann's other clients.
    assert token_attempt("ann", "pw", ip="10.8.0.1").status_code == 200  # her script
    assert token_attempt("ann", "pw", ip="10.8.5.5").status_code == 200  # a new client


def test_a_device_cookie_issued_for_another_user_does_not_make_a_client_known(rates):
    UserFactory(username="ann")
    UserFactory(username="mallory")
    attacker = Client()
    assert sign_in(attacker, "mallory", "pw", ip="10.9.0.1").status_code == 302
    attacker.post("/logout/")
    statuses = [sign_in(attacker, "ann", ip=f"10.9.1.{i}").status_code for i in range(5)]
    assert statuses == [200, 200, 200, 429, 429]


def test_a_forged_device_cookie_does_not_make_a_client_known(rates):
    UserFactory(username="ann")
    guess_from_rotating_addresses("ann", attempts=3)
    attacker = Client()
    attacker.cookies.load({DEVICE_COOKIE: "ann:made-up"})
    assert sign_in(attacker, "ann", "pw", ip="10.9.2.1").status_code == 429


def test_rates_come_from_settings():
    rates = api_settings.DEFAULT_THROTTLE_RATES
    assert set(rates) >= {"api", "login_ip", "login_username"}
