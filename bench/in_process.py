"""Requests against the bench database without HTTP: for bench/explain.py and
bench/hotspots.py, which look inside one request."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    """Django on BENCH_DATABASE_URL (the data `make bench` generated), DEBUG off."""
    os.environ.setdefault(
        "DATABASE_URL",
        os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/relay_bench"),
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-in-process-not-a-real-secret-0123456789")
    os.environ.setdefault("API_THROTTLE_RATE", "100000000/min")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def signed_in_client(path: str, username: str):
    """(test client, request headers) acting as `username`: a token for API paths, a
    session for UI pages."""
    from django.test import Client

    from accounts.models import User

    client, headers = Client(), {"HTTP_HOST": "127.0.0.1"}
    user = User.objects.get(username=username)
    if path.startswith("/api/"):
        from rest_framework.authtoken.models import Token

        token, _ = Token.objects.get_or_create(user=user)
        headers["HTTP_AUTHORIZATION"] = f"Token {token.key}"
    else:
        client.force_login(user)
    return client, headers
