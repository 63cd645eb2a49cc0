"""Production settings pass `check --deploy`; a database outage is a 503, not a 500."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError

from tests.factories import ContactFactory

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "crm_project.settings",
        "DJANGO_SECRET_KEY": "x7!kq2-" + "production-secret-" * 4,
        "DJANGO_ALLOWED_HOSTS": "crm.example.com",
        "DJANGO_HTTPS": "1",
        "DJANGO_BEHIND_PROXY": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_check_deploy_warns_without_https(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "crm_project.settings",
        "DJANGO_SECRET_KEY": "x7!kq2-" + "production-secret-" * 4,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


@pytest.mark.django_db
def test_the_api_answers_503_with_json_while_the_database_is_down(owner, monkeypatch):
    ContactFactory(account=owner.account)
    from contacts.api.views import ContactViewSet

    def down(self):
        raise OperationalError("connection refused")

    monkeypatch.setattr(ContactViewSet, "get_queryset", down)
    response = owner.client.get("/api/v1/crm/contacts/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "database" in response.json()["detail"]


@pytest.mark.django_db
def test_the_ui_answers_503_while_the_database_is_down(owner, monkeypatch):
    from django.test import Client

    from web.dashboard.views import DashboardView

    def down(self, request, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(DashboardView, "get", down)
    client = Client()
    client.force_login(owner.user)
    response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
