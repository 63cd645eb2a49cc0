"""Under gunicorn with two worker processes, the sign-in limits hold: the workers share
their counters (the database cache of the production settings), so no worker grants
the budget again."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
IP_LIMIT, USERNAME_LIMIT = 6, 4

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    """gunicorn, two workers, DEBUG off, on a freshly migrated SQLite file. Yields the
    base URL and the access log: "<worker pid> <method> <status>" per request."""
    port = free_port()
    access_log = tmp_path / "access.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
    env |= {
        "DJANGO_SETTINGS_MODULE": "crm_project.settings",
        "DJANGO_SECRET_KEY": "gunicorn-test-" * 4,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "LOGIN_IP_THROTTLE_RATE": f"{IP_LIMIT}/min",
        "LOGIN_USERNAME_THROTTLE_RATE": f"{USERNAME_LIMIT}/min",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "WEB_THREADS": "2",
        "GUNICORN_ACCESS_LOG": str(access_log),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "python:crm_project.gunicorn",
            "--access-logformat",
            "%(p)s %(m)s %(s)s",
            "crm_project.wsgi:application",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{base}/login/", timeout=5)
                break
            except requests.RequestException:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield base, access_log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def token_attempt(base, username):
    # A new connection each time, so that either worker may take it.
    response = requests.post(
        f"{base}/api/v1/auth/token/",
        json={"username": username, "password": "wrong"},
        headers={"Connection": "close"},
        timeout=10,
    )
    assert response.status_code in (400, 429), response.text
    return response.status_code


def test_two_gunicorn_workers_let_no_more_attempts_through_than_the_limits(server):
    base, access_log = server
    same_username = [token_attempt(base, "ann") for _ in range(3 * USERNAME_LIMIT)]
    assert same_username.count(400) == USERNAME_LIMIT
    many_usernames = [token_attempt(base, f"user{i}") for i in range(2 * IP_LIMIT)]
    # Both series came from this one address.
    assert same_username.count(400) + many_usernames.count(400) == IP_LIMIT
    attempts = [line.split() for line in access_log.read_text().splitlines()]
    workers = {pid for pid, method, _status in attempts if method == "POST"}
    assert len(workers) == 2, "every attempt went to one worker: nothing was shared"
