"""A bounded load of reads and creates against a running server, and the check that no
acknowledged write was lost: every contact whose create was answered 201 is in the
database afterwards, with the email it was created with.

`make citus-bench` runs the load while shards move (an online rebalance onto a new
worker, a tenant isolated on its own shard) and checks the writes after each move.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import requests

# A request slower than this is a hang: counted as an error, not waited for.
TIMEOUT_SECONDS = 60


@dataclass
class LoadReport:
    """What the clients saw: requests made, failures (first few kept) and every create
    the server acknowledged ({contact id: email})."""

    reads: int = 0
    creates: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    acknowledged: dict[int, str] = field(default_factory=dict)
    slowest_ms: float = 0.0


class BoundedLoad:
    """`readers` clients reading (the contacts list, and the contact the writers created
    last: a write that was acknowledged must be readable) and `writers` clients creating
    contacts, each pausing `pause` seconds between requests so the load stays bounded
    on a shared machine. start() ... stop() returns the LoadReport."""

    def __init__(self, base: str, token: str, *, tag: str, readers=2, writers=2, pause=0.05):
        self.base, self.token, self.tag = base, token, tag
        self.readers, self.writers, self.pause = readers, writers, pause
        self.report = LoadReport()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._last_created: int | None = None

    def start(self) -> BoundedLoad:
        self._threads = [
            threading.Thread(target=self._read, daemon=True) for _ in range(self.readers)
        ] + [
            threading.Thread(target=self._write, args=(n,), daemon=True)
            for n in range(self.writers)
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> LoadReport:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        return self.report

    def _session(self) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.token}"
        return session

    def _request(self, session, method, path, **kwargs):
        """The response, or None after recording the failure."""
        started = time.perf_counter()
        try:
            response = session.request(method, self.base + path, timeout=TIMEOUT_SECONDS, **kwargs)
        except requests.RequestException as exc:
            self._fail(f"{method} {path}: {type(exc).__name__}")
            return None
        elapsed = (time.perf_counter() - started) * 1000
        with self._lock:
            self.report.slowest_ms = max(self.report.slowest_ms, elapsed)
        if not 200 <= response.status_code < 300:
            self._fail(f"{method} {path}: {response.status_code} {response.text[:200]}")
            return None
        return response

    def _fail(self, what: str) -> None:
        with self._lock:
            self.report.errors += 1
            if len(self.report.error_samples) < 10:
                self.report.error_samples.append(what)

    def _read(self) -> None:
        session, n = self._session(), 0
        while not self._stop.is_set():
            latest = self._last_created
            path = (
                f"/api/v1/crm/contacts/{latest}/"
                if n % 2 and latest is not None
                else "/api/v1/crm/contacts/"
            )
            self._request(session, "GET", path)
            with self._lock:
                self.report.reads += 1
            n += 1
            self._stop.wait(self.pause)

    def _write(self, writer: int) -> None:
        session, n = self._session(), 0
        while not self._stop.is_set():
            email = f"load-{self.tag}-{writer}-{n}@example.com"
            body = {"first_name": "Load", "last_name": f"{self.tag} {n}", "email": email}
            response = self._request(session, "POST", "/api/v1/crm/contacts/", json=body)
            with self._lock:
                self.report.creates += 1
                if response is not None and response.status_code == 201:
                    contact_id = response.json()["id"]
                    self.report.acknowledged[contact_id] = email
                    self._last_created = contact_id
            n += 1
            self._stop.wait(self.pause)


def lost_writes(cursor, *, account_id: int, acknowledged: Mapping[int, str]) -> list[int]:
    """Ids of acknowledged creates that are not in the database as acknowledged: missing,
    or holding another email. One query per 500 ids, each filtered by the account (on
    Citus, one shard). `cursor` is any DB-API cursor with `%s` parameters (psycopg's, or
    Django's on any backend)."""
    ids = sorted(acknowledged)
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        cursor.execute(
            "SELECT id, email FROM contacts_contact WHERE account_id = %s AND id IN ("
            + ", ".join(["%s"] * len(chunk))
            + ")",
            [account_id, *chunk],
        )
        found.update(cursor.fetchall())
    return [pk for pk in ids if found.get(pk) != acknowledged[pk]]
