"""Making a rate-limit counter's read-modify-write atomic.

DRF's rate throttles read a counter (the list of recent attempts), decide, and write it
back. Two workers doing that at the same instant both read the same list and both let
their attempt through, so a burst of parallel guesses could pass a limit several times
over even with shared counters. `counter_lock(cache, key)` makes each read-decide-write
of one key take turns, whatever the cache:

- Redis: a Redis lock beside the key (SET NX with an expiry, so a worker that dies
  while holding it blocks the key for at most a second).
- The database cache: a transaction that first takes a lock named by the key
  (PostgreSQL: `pg_advisory_xact_lock`; SQLite's IMMEDIATE transactions take the
  database's write lock up front, which already serialises writers).
- Process memory (`runserver`, tests): a lock of this process.
"""

import threading
import zlib
from contextlib import contextmanager

from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router, transaction

_process_lock = threading.Lock()
# First key of the two-integer advisory locks ("RTHR"), apart from other users'.
_LOCK_SPACE = 0x52544852


@contextmanager
def counter_lock(cache, key: str):
    """Hold the turn of `key` in `cache` (a cache backend or a proxy to one)."""
    backend = getattr(cache, "_connections", None)
    backend = backend[cache._alias] if backend is not None else cache
    if isinstance(backend, RedisCache):
        client = backend._cache.get_client(key, write=True)
        with client.lock(f"{backend.make_key(key)}:lock", timeout=1, blocking_timeout=2):
            yield
    elif isinstance(backend, DatabaseCache):
        alias = router.db_for_write(backend.cache_model_class)
        with transaction.atomic(using=alias):
            connection = connections[alias]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT pg_advisory_xact_lock(%s::integer, %s::integer)",
                        [_LOCK_SPACE, zlib.crc32(key.encode()) - 2**31],
                    )
            yield
    else:
        with _process_lock:
            yield
