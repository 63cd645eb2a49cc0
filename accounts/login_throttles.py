"""Limits on signing in, shared by the token endpoint, the web sign-in and the admin's.

The design follows OWASP's "device cookies": an attacker must not be able to lock a
user out by guessing their password from elsewhere.

- A client that is not known for the username is limited per address ("login_ip") and,
  together with every other unknown client, per username ("login_username").
- A client known for the username has a budget of its own per (username, client), at
  the "login_username" rate, and the limits above do not apply to it: failures anywhere
  else never block it. A client is known when it sends the signed device cookie a
  successful sign-in as that user gave it (browsers), or comes from an address that
  signed in as that user in the last 30 days (API scripts keep no cookies).
- An attempt counts when it is let through; a successful one is taken back, so only
  failures consume a budget.
"""

import math
import secrets

from django.utils.crypto import salted_hmac

from accounts.api.throttles import SharedCounterThrottle, client_address, throttle_counters
from lib.counter_locks import counter_lock

DEVICE_COOKIE = "relay_device"
DEVICE_COOKIE_SALT = "accounts.login_throttles.device"
DEVICE_COOKIE_MAX_AGE = 180 * 24 * 3600
KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600


def submitted_username(data) -> str:
    """The username a sign-in form or token request names, normalised for counting."""
    value = data.get("username") if hasattr(data, "get") else None
    return value.strip().lower()[:150] if isinstance(value, str) else ""


def username_key(username: str) -> str:
    """A keyed hash of a username: any character may be in one, and the device cookie,
    which the client can read, should not reveal it."""
    return salted_hmac(DEVICE_COOKIE_SALT, username).hexdigest()[:32]


class SignInThrottle(SharedCounterThrottle):
    """One sign-in counter, keyed by what the attempt is counted under."""

    def __init__(self, ident: str):
        super().__init__()
        self.ident = ident

    def get_cache_key(self, request, view):
        if not self.ident:
            return None
        return f"throttle_{type(self).__name__}_{self.ident}"

    def refund(self) -> None:
        """Takes back the attempt allow_request() counted."""
        key = getattr(self, "key", None)
        if key is None:
            return
        with counter_lock(self.cache, key):
            history = self.cache.get(key, [])
            if self.now in history:
                history.remove(self.now)
                self.cache.set(key, history, self.duration)


class LoginIPThrottle(SignInThrottle):
    """Attempts from one address by clients not known for the username."""

    scope = "login_ip"


class LoginUsernameThrottle(SignInThrottle):
    """Attempts for one username by all the clients not known for it."""

    scope = "login_username"


class KnownClientThrottle(SignInThrottle):
    """Attempts for one username by one client known for it."""

    scope = "login_username"


class SignInLimits:
    """The limits on one sign-in attempt.

    Call `refusal()` before checking the password and `succeeded(response)` after a
    right one. Each costs a few cache reads and writes."""

    def __init__(self, request, data):
        self.request = request
        self.username = submitted_username(data)
        self.address = client_address(request)
        self.user_key = username_key(self.username) if self.username else ""
        self.device = self._device_id()
        known_client = self._known_client()
        if known_client:
            self.throttles = [KnownClientThrottle(f"{self.user_key}_{known_client}")]
        else:
            self.throttles = [LoginIPThrottle(self.address), LoginUsernameThrottle(self.user_key)]
        self.counted = []

    def refusal(self) -> int | None:
        """Seconds to wait when a limit is reached (nothing is counted then), else None
        (the attempt is counted until `succeeded()` takes it back)."""
        waits = []
        for throttle in self.throttles:
            if throttle.allow_request(self.request, None):
                self.counted.append(throttle)
            else:
                waits.append(throttle.wait() or 1)
        if not waits:
            return None
        for throttle in self.counted:
            throttle.refund()
        self.counted = []
        return max(1, math.ceil(max(waits)))

    def succeeded(self, response) -> None:
        """The password was right: the attempt costs nothing, and this client (its
        address, and the browser through the device cookie set on `response`) becomes
        known for the username."""
        for throttle in self.counted:
            throttle.refund()
        if not self.user_key:
            return
        throttle_counters.set(self._known_address_key(), True, KNOWN_ADDRESS_SECONDS)
        device = self.device or secrets.token_urlsafe(16)
        response.set_signed_cookie(
            DEVICE_COOKIE,
            f"{self.user_key}:{device}",
            salt=DEVICE_COOKIE_SALT,
            max_age=DEVICE_COOKIE_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=self.request.is_secure(),
        )

    def _device_id(self) -> str:
        """The id of the device cookie the client sent, if it was issued for this
        username (signed, so it cannot be forged or moved to another username)."""
        if not self.user_key:
            return ""
        value = self.request.get_signed_cookie(
            DEVICE_COOKIE, default="", salt=DEVICE_COOKIE_SALT, max_age=DEVICE_COOKIE_MAX_AGE
        )
        user_key, _, device = value.partition(":")
        return device if user_key == self.user_key and device else ""

    def _known_client(self) -> str:
        if self.device:
            return f"device_{self.device}"
        if self.user_key and throttle_counters.get(self._known_address_key()):
            return f"address_{self.address}"
        return ""

    def _known_address_key(self) -> str:
        return f"login_known_address_{self.user_key}_{self.address}"
