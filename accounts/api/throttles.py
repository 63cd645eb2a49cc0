"""Rate limits: per token for the API, per client and per username for signing in.

Counters live in the default cache (Redis when REDIS_URL is set). A throttled request
gets 429 with Retry-After.
"""

import hashlib

from rest_framework.throttling import SimpleRateThrottle, UserRateThrottle


class TokenRateThrottle(UserRateThrottle):
    """Every authenticated API caller (one token per user) shares the "api" rate."""

    scope = "api"


class LoginIPThrottle(SimpleRateThrottle):
    """Sign-in attempts from one client address."""

    scope = "login_ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class LoginUsernameThrottle(SimpleRateThrottle):
    """Sign-in attempts for one username, from anywhere (slows password guessing
    spread over many addresses)."""

    scope = "login_username"

    def get_cache_key(self, request, view):
        username = login_username(request)
        if not username:
            return None
        # Hashed: a username may hold any character, a cache key should not.
        ident = hashlib.sha256(username.encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}


def login_username(request) -> str:
    data = getattr(request, "data", None)
    if data is None:
        data = request.POST
    value = data.get("username") if hasattr(data, "get") else None
    return value.strip().lower()[:150] if isinstance(value, str) else ""
