"""The fault test of `make chaos`, small enough for the suite (PostgreSQL only).

`make chaos` restarts PostgreSQL under load; here the same outage is made without
touching the server: the test database stops accepting connections and every
connection the app holds (its pool) is killed. Meanwhile a client keeps creating and
reading contacts through a live server. Checked: no answer is a 500, the outage
answers are 503 with a JSON body, the API recovers by itself within 5 seconds of the
database accepting connections again, and the stored rows are exactly the creates
answered 201, each once. The client sends every create with an `Idempotency-Key` and
retries it with the same key after a 503, a 409 or a dropped connection, as `make
chaos` does: the create in flight when the connections were killed, whose COMMIT may
have reached the database while its answer did not, gets its answer on a retry
instead of being stored without one, or twice.
"""

import contextlib
import threading
import time
import uuid

import psycopg
import pytest
import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from accounts.services import account_create
from contacts.models import Contact

RECOVERY_LIMIT = 5.0
RETRY_GRACE = 15.0  # how long a create keeps retrying once the load has stopped

pytestmark = [
    pytest.mark.slow,  # a live server, an outage and a recovery: ~9 s
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL outage"),
]


def admin_connection():
    params = connection.get_connection_params()
    params.pop("pool", None)
    params.pop("cursor_factory", None)
    params["dbname"] = "postgres"
    return psycopg.connect(**params, autocommit=True)


def outage(admin, database: str, down: bool) -> None:
    admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {"false" if down else "true"}')
    if down:  # the app's pooled connections die as they would in a restart
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> %s",
            [database, connection_pid()],
        )


def connection_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_the_api_survives_an_outage_and_recovers_by_itself(live_server):
    account = account_create(name="Outage", username="outage", password="pw-outage-123")
    token = Token.objects.create(user=account.memberships.get().user)
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token.key}"
    local = threading.local()  # a Session of its own per client thread

    def own_session():
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.headers["Authorization"] = f"Token {token.key}"
        return local.session

    url = f"{live_server.url}/api/v1/crm/contacts/"
    answers, created, gave_up, stop = [], [], [], threading.Event()
    retried = []

    def create(email):
        """POST until answered, retrying with one key; the final status."""
        key, deadline = str(uuid.uuid4()), None
        while True:
            try:
                response = own_session().post(
                    url,
                    json={"first_name": "Load", "email": email},
                    headers={"Idempotency-Key": key},
                    timeout=20,
                )
            except requests.RequestException as exc:  # a dropped request is not an answer
                answers.append(("error", str(exc)))
            else:
                answers.append((response.status_code, response.headers.get("Content-Type", "")))
                if response.status_code not in (409, 503):
                    return response.status_code
            retried.append(email)
            if stop.is_set():
                deadline = deadline or time.perf_counter() + RETRY_GRACE
                if time.perf_counter() > deadline:
                    gave_up.append(email)
                    return None
            time.sleep(0.1)

    def load(name, reads):
        n = 0
        while not stop.is_set():
            n += 1
            email = f"{name}{n}@example.com"
            if create(email) == 201:
                created.append(email)
            if not reads:
                continue
            with contextlib.suppress(requests.RequestException):
                response = own_session().get(url, timeout=20)
                answers.append((response.status_code, response.headers.get("Content-Type", "")))

    # One client mixes creates and reads; the other only creates, so some create is
    # always in flight when the database goes away (the mixed one may be waiting on a
    # read through the whole outage).
    workers = [
        threading.Thread(target=load, args=("mixed", True)),
        threading.Thread(target=load, args=("creates", False)),
    ]
    for worker in workers:
        worker.start()
    database = connection.settings_dict["NAME"]
    try:
        with admin_connection() as admin:
            time.sleep(0.5)
            outage(admin, database, down=True)
            # Longer than the pool's wait for a connection (DATABASE_POOL_TIMEOUT, 5 s):
            # shorter outages are ridden out by requests that simply wait.
            time.sleep(6.5)
            outage(admin, database, down=False)
            back = time.perf_counter()
            recovered = None
            while time.perf_counter() - back < RECOVERY_LIMIT + 5:
                if session.get(url, timeout=20).status_code == 200:
                    recovered = time.perf_counter() - back
                    break
                time.sleep(0.1)
            time.sleep(0.5)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
        with admin_connection() as admin:
            outage(admin, database, down=False)

    statuses = {status for status, _ in answers}
    assert recovered is not None and recovered <= RECOVERY_LIMIT, recovered
    assert 500 not in statuses, answers
    assert 503 in statuses, f"the outage was never seen: {statuses}"
    assert all(
        kind.startswith("application/json") for status, kind in answers if status in (409, 503)
    )
    assert statuses <= {200, 201, 409, 503, "error"}, statuses
    assert retried, "no create was retried: the outage missed the creates"
    assert not gave_up, f"creates never answered: {gave_up}"
    stored = list(Contact.objects.for_account(account).values_list("email", flat=True))
    assert len(stored) == len(set(stored)), "a retried create was stored twice"
    assert set(stored) == set(created), (
        f"answered 201 but not stored: {set(created) - set(stored)}; "
        f"stored without a 201: {set(stored) - set(created)}"
    )
