"""Rate limits: the API's per token, and what every limit shares.

Counters live in the "throttles" cache (crm_project/settings.py): Redis or a database
table, shared by every worker process. A throttled request gets 429 with Retry-After.
The sign-in limits build on this module in accounts/login_throttles.py.
"""

import math
from typing import NamedTuple

from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle, UserRateThrottle

from lib.counter_locks import counter_lock

# Resolved on each use, like django.core.cache.cache, so each thread gets its own
# connection and a test that swaps CACHES is obeyed.
throttle_counters = ConnectionProxy(caches, "throttles")


def client_address(request) -> str:
    """The address a request comes from, for every limit that counts per client.

    The peer address (REMOTE_ADDR), or, behind `DJANGO_TRUSTED_PROXIES` proxies (DRF's
    NUM_PROXIES), the address the outermost trusted proxy put into X-Forwarded-For.
    With no trusted proxy the header is ignored: a client must not choose the address
    it is counted under. Takes a Django or a DRF request."""
    return BaseThrottle().get_ident(request)


class SharedCounterThrottle(SimpleRateThrottle):
    """A DRF rate throttle whose counters every worker process shares."""

    cache = throttle_counters
    # Whether each count takes a turn per key (lib/counter_locks.py). DRF reads the
    # attempts, decides, then writes them back: without a turn, parallel requests all
    # read the same count and all pass. The sign-in limits guard passwords and take it.
    atomic = True

    def get_ident(self, request):
        return client_address(request)

    def allow_request(self, request, view):
        key = self.get_cache_key(request, view) if self.rate is not None else None
        if key is None:
            return super().allow_request(request, view)
        # A request the server runs again (crm_project/shard_move_retry.py re-runs a
        # safe request that met a Citus shard switch) was let through once and is not
        # counted twice. Kept on Django's request, which the run again shares (DRF's
        # wraps it; the sign-in limits pass it as it is); only a request let through
        # gets there (a refusal raises, and is never retried).
        django_request = getattr(request, "_request", request)
        passed = django_request.__dict__.setdefault("_throttle_keys_passed", set())
        if key in passed:
            return True
        if self.atomic:
            with counter_lock(self.cache, key):
                allowed = super().allow_request(request, view)
        else:
            allowed = super().allow_request(request, view)
        if allowed:
            passed.add(key)
        return allowed


class TokenRateThrottle(SharedCounterThrottle, UserRateThrottle):
    """Every authenticated API caller (one token per user) shares the "api" rate."""

    scope = "api"
    # A capacity limit on a caller already signed in, checked on every API request: a
    # burst may overshoot it by a few requests, which costs less than a lock round trip
    # on each of them (about 2 ms of a 9 ms detail read at SCALE=1, docs/benchmarks.md).
    atomic = False

    def allow_request(self, request, view):
        """DRF's sliding window; also leaves the caller's standing on the request
        (`request.rate_limit`), read from the history this check loaded anyway, so
        the RateLimit-* headers cost no extra read of the counters."""
        allowed = super().allow_request(request, view)
        if self.rate is not None and getattr(self, "key", None) is not None:
            oldest = self.history[-1] if self.history else self.now
            # On Django's request, which DRF's request and its clones share.
            request._request.rate_limit = RateLimitState(
                limit=self.num_requests,
                remaining=max(0, self.num_requests - len(self.history)),
                reset=max(0, math.ceil(oldest + self.duration - self.now)),
            )
        return allowed


class RateLimitState(NamedTuple):
    """Where one caller stands against a rate: what the RateLimit-* headers say."""

    limit: int
    remaining: int
    reset: int  # seconds until the oldest counted request leaves the window


def rate_limit_headers(request) -> dict[str, str]:
    """`RateLimit-Limit`, `-Remaining` and `-Reset` for a request the API's per-token
    throttle counted (none for one it did not: unauthenticated, or no rate)."""
    state = getattr(request, "rate_limit", None)
    if state is None:
        return {}
    return {
        "RateLimit-Limit": str(state.limit),
        "RateLimit-Remaining": str(state.remaining),
        "RateLimit-Reset": str(state.reset),
    }
