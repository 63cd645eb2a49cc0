"""Idempotency keys: a POST sent again with the same `Idempotency-Key` gets the first
answer again instead of writing twice (the API contract, "Concurrency, retries and
limits").

The key is claimed inside the request's own transaction, which also holds its writes
and, at the end, its answer (accounts/api/record_writes.py): a request that commits
leaves its writes and its answer together, so a retry after a lost answer replays it;
a request that dies (its process killed, the database restarted) rolls back its
claim with its writes, so a retry runs again and no key is ever left stuck.

While the first request runs its claim is not yet visible to others, so PostgreSQL
also takes a transaction-level advisory lock on the key (`pg_try_advisory_xact_lock`,
released at COMMIT or ROLLBACK, whatever the process does): a second request with the
key, in any worker, fails to take it and answers 409. The unique constraint on
(account, key) stays the last word. SQLite needs no lock: its IMMEDIATE transactions
run writers one at a time, so the second request finds the first one's answer.
"""

import datetime as dt
import hashlib
import re

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import IdempotencyKey
from lib.errors import StateConflict

KEY_LIFETIME = dt.timedelta(hours=24)
VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")
# Headers of the first answer that a replay repeats; the rest (RateLimit-*) are the
# replay's own.
REPLAYED_HEADERS = ("Content-Type", "ETag", "Location", "Relay-Likely-Duplicates")


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
    """Claim `key` for a request, in the request's transaction (required). Returns the
    row: answered (`completed`) when the request was already answered and must be
    replayed, else a new row this request holds until its transaction ends.

    Raises InvalidKey, KeyReused (the key of another request) or KeyInFlight."""
    if not is_valid_key(key):
        raise InvalidKey("Idempotency-Key must be 1 to 255 visible ASCII characters.")
    if not connection.in_atomic_block:
        raise RuntimeError("idempotency_key_claim() outside a transaction holds nothing.")
    in_flight = KeyInFlight(
        "The first request with this Idempotency-Key is still running; retry in a moment."
    )
    if not _lock_key(account.pk, key):
        raise in_flight
    keys = IdempotencyKey.objects.for_account(account)
    now = timezone.now()
    existing = keys.filter(key=key).first()
    if existing is not None and existing.created_at <= now - KEY_LIFETIME:
        keys.filter(pk=existing.pk).delete()  # expired, not yet purged: free again
    elif existing is not None:
        if existing.fingerprint != fingerprint:
            raise KeyReused(
                "This Idempotency-Key was sent with another request "
                "(method, path or body); use a new key for a new request."
            )
        if not existing.completed:  # its request's transaction is still open
            raise in_flight
        return existing
    try:
        with transaction.atomic():
            return keys.create(account=account, key=key, fingerprint=fingerprint, created_at=now)
    except IntegrityError:
        raise in_flight from None


def _lock_key(account_id: int, key: str) -> bool:
    """Take the key's advisory lock for this transaction, without waiting; False
    when another transaction holds it. Always True on SQLite (see above)."""
    if connection.vendor != "postgresql":
        return True
    # The one-bigint form: a key space of its own, apart from the two-integer locks
    # of events/services.py.
    digest = hashlib.sha256(f"{account_id}:{key}".encode()).digest()
    lock = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s::bigint)", [lock])
        return cursor.fetchone()[0]


def idempotency_key_complete(
    *, claim: IdempotencyKey, status: int, content: bytes, headers: dict
) -> None:
    """Store the answer of the request that holds `claim`, in its transaction, so the
    answer commits with the writes it reports (or not at all)."""
    claim.status, claim.content, claim.headers = status, bytes(content), headers
    claim.completed = True
    IdempotencyKey.objects.for_account(claim.account_id).filter(pk=claim.pk).update(
        status=status, content=claim.content, headers=headers, completed=True
    )


def idempotency_keys_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the keys of every account older than `KEY_LIFETIME`; returns how many.
    Meant to run as a recurring job (say hourly); a key past its lifetime is already
    treated as unused, so running it late only costs space."""
    cutoff = (now or timezone.now()) - KEY_LIFETIME
    deleted, _ = (
        IdempotencyKey.objects.dangerously_unscoped().filter(created_at__lt=cutoff).delete()
    )
    return deleted
