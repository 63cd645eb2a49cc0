"""A burst of parallel attempts passes a limit no more often than the limit allows,
with the counters in each kind of shared cache (lib/counter_locks.py)."""

import threading
import uuid

import pytest
from django.db import connection
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle

from accounts.api.throttles import SharedCounterThrottle
from tests.test_throttling import DATABASE, LOCMEM, REDIS, clear_counters, redis_is_running

PARALLEL = 12
LIMIT = 4


class BurstThrottle(SharedCounterThrottle):
    scope = "login_ip"

    def get_cache_key(self, request, view):
        return "throttle_burst_test"


def burst(rounds=3):
    """How many of PARALLEL attempts, released together, each round let through."""
    passed_per_round = []
    for _ in range(rounds):
        clear = BurstThrottle().cache
        clear.delete("throttle_burst_test")
        barrier = threading.Barrier(PARALLEL)
        passed = []

        def attempt(barrier=barrier, passed=passed):
            barrier.wait(10)
            try:
                if BurstThrottle().allow_request(request=HttpRequest(), view=None):
                    passed.append(1)
            finally:
                connection.close()

        threads = [threading.Thread(target=attempt) for _ in range(PARALLEL)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        passed_per_round.append(len(passed))
    return passed_per_round


@pytest.fixture
def small_rate(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"login_ip": f"{LIMIT}/min"})


def test_a_burst_in_process_memory_passes_only_the_limit(settings, small_rate):
    settings.CACHES = {"default": LOCMEM, "throttles": LOCMEM}
    assert burst() == [LIMIT] * 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_burst_on_the_database_cache_passes_only_the_limit(settings, small_rate):
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers need PostgreSQL")
    settings.CACHES = {"default": LOCMEM, "throttles": DATABASE}
    assert burst() == [LIMIT] * 3


def test_a_burst_on_redis_passes_only_the_limit(settings, small_rate):
    if not redis_is_running():
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    counters = REDIS | {"KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}"}
    settings.CACHES = {"default": LOCMEM, "throttles": counters}
    try:
        assert burst() == [LIMIT] * 3
    finally:
        clear_counters(counters)
