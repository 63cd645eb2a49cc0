"""Idempotency keys: a POST sent again with the same `Idempotency-Key` gets the first
answer again instead of writing twice (the API contract, "Concurrency, retries and
limits").

A request claims its key by inserting a row in its own short transaction, committed
before the request's work starts, so every worker process sees the claim: the unique
constraint on (account, key) decides a race, and the loser finds the key in flight
(409) or answered (replay). The answer is stored in the same transaction as the
request's writes (accounts/api/record_writes.py), so a write that committed always has
its answer stored, and a retry after a lost answer replays it instead of writing again.

A claim whose request died without answering (its process killed mid-request) would
block its key for a day; after `IN_FLIGHT_TIMEOUT`, longer than a worker may run one
request (gunicorn's `timeout`, crm_project/gunicorn.py), the key can be claimed again.
"""

import datetime as dt
import hashlib
import re

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.errors import StateConflict
from accounts.models import IdempotencyKey

KEY_LIFETIME = dt.timedelta(hours=24)
IN_FLIGHT_TIMEOUT = dt.timedelta(seconds=90)
VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")
# Headers of the first answer that a replay repeats; the rest (RateLimit-*) are the
# replay's own.
REPLAYED_HEADERS = ("Content-Type", "ETag", "Location")


class InvalidKey(ValueError):
    """The header is not 1-255 visible ASCII characters."""


class KeyInFlight(StateConflict):
    """The first request with this key is still running."""


class KeyReused(ValueError):
    """The key was first sent with another method, path or body."""


def is_valid_key(key: str) -> bool:
    return VALID_KEY.fullmatch(key) is not None


def request_fingerprint(method: str, path: str, body: bytes) -> str:
    """What a key must be repeated with: method, path (with its query) and body."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def idempotency_key_claim(*, account, key: str, fingerprint: str) -> IdempotencyKey:
    """Claim `key` for a request, in a transaction of its own (committed at once when
    called outside one). Returns the row: in flight (`completed` False) when this
    request claimed it and must run, answered (`completed` True) when it must replay.

    Raises InvalidKey, KeyReused (another request's key) or KeyInFlight."""
    if not is_valid_key(key):
        raise InvalidKey("Idempotency-Key must be 1 to 255 visible ASCII characters.")
    keys = IdempotencyKey.objects.for_account(account)
    for _attempt in range(3):  # a released or expired row may vanish under us
        now = timezone.now()
        try:
            with transaction.atomic():
                return keys.create(account=account, key=key, fingerprint=fingerprint,
                                   created_at=now)
        except IntegrityError:
            pass
        existing = keys.filter(key=key).first()
        if existing is None:
            continue
        expired = existing.created_at <= now - KEY_LIFETIME
        abandoned = not existing.completed and existing.created_at <= now - IN_FLIGHT_TIMEOUT
        if expired or (abandoned and existing.fingerprint == fingerprint):
            # Conditional on the version read, so of two takers only one succeeds.
            taken = keys.filter(pk=existing.pk, created_at=existing.created_at).update(
                fingerprint=fingerprint, created_at=now, completed=False, status=None,
                content=b"", headers={})
            if taken:
                return keys.get(pk=existing.pk)
            continue
        if existing.fingerprint != fingerprint:
            raise KeyReused("This Idempotency-Key was sent with another request "
                            "(method, path or body); use a new key for a new request.")
        if not existing.completed:
            raise KeyInFlight("The first request with this Idempotency-Key is still "
                              "running; retry in a moment.")
        return existing
    raise KeyInFlight("This Idempotency-Key is changing hands; retry in a moment.")


def idempotency_key_complete(*, claim: IdempotencyKey, status: int, content: bytes,
                             headers: dict) -> None:
    """Store the answer of the request that holds `claim`. Call it inside the
    request's transaction, so the answer commits with the writes it reports."""
    claim.status, claim.content, claim.headers = status, bytes(content), headers
    claim.completed = True
    IdempotencyKey.objects.for_account(claim.account_id).filter(pk=claim.pk).update(
        status=status, content=claim.content, headers=headers, completed=True)


def idempotency_key_release(*, claim: IdempotencyKey) -> None:
    """Give the key up unanswered (the request failed on the server's side: 5xx), so
    a retry with it runs again."""
    IdempotencyKey.objects.for_account(claim.account_id).filter(
        pk=claim.pk, completed=False).delete()


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the keys of every account older than `KEY_LIFETIME`; returns how many.
    Meant to run as a recurring job (say hourly); a key past its lifetime is already
    treated as unused, so running it late only costs space."""
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    deleted, _ = IdempotencyKey.objects.dangerously_unscoped().filter(
        created_at__lt=cutoff).delete()
    return deleted
