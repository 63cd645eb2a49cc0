"""RateLimit-Limit, -Remaining and -Reset on every answer to an authenticated API
request; a 429 also carries Retry-After."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.api.throttles import throttle_counters
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

LOCMEM = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "ratelimit-header-tests",
}


@pytest.fixture
def rate(monkeypatch, settings):
    """Real counters and a rate of 3 a minute; counters cleared before and after."""
    settings.CACHES = {"default": LOCMEM, "throttles": LOCMEM}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"api": "3/min"})
    throttle_counters.clear()
    yield 3
    throttle_counters.clear()


def limits(response):
    return tuple(
        int(response[name])
        for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset")
    )


def test_each_answer_says_what_is_left_of_the_budget(rate, owner):
    answers = [owner.client.get("/api/v1/crm/contacts/") for _ in range(3)]
    assert [limits(a)[:2] for a in answers] == [(3, 2), (3, 1), (3, 0)]
    assert all(0 < limits(a)[2] <= 60 for a in answers)


def test_a_429_carries_retry_after_and_the_same_reset(rate, owner):
    for _ in range(3):
        owner.client.get("/api/v1/me/")
    refused = owner.client.get("/api/v1/me/")
    assert refused.status_code == 429
    limit, remaining, reset = limits(refused)
    assert (limit, remaining) == (3, 0)
    assert 0 < int(refused["Retry-After"]) <= 60
    assert abs(reset - int(refused["Retry-After"])) <= 1


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/me/"),
        ("get", "/api/v1/crm/account/"),
        ("get", "/api/v1/crm/members/"),
        ("post", "/api/v1/crm/contacts/"),
        ("get", "/api/v1/crm/contacts/999999/"),
        ("get", "/api/v1/crm/contacts/{contact}/timeline/"),
    ],
)
def test_every_kind_of_answer_carries_the_headers(owner, method, path):
    contact = ContactFactory(account=owner.account)
    response = getattr(owner.client, method)(path.format(contact=contact.pk), {}, format="json")
    assert response.status_code < 500
    limit, remaining, reset = limits(response)
    assert limit > 0 and 0 <= remaining < limit and reset >= 0


def test_an_unauthenticated_answer_carries_none(db):
    response = APIClient().get("/api/v1/crm/contacts/")
    assert response.status_code == 401
    assert "RateLimit-Limit" not in response
