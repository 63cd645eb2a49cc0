"""Where rate-limit counters live and whose address counts, as the environment says;
and the system check that refuses counters kept per process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from accounts.checks import throttle_counters_are_shared, throttle_rates_parse

REPO = Path(__file__).resolve().parent.parent

SHOW_SETTINGS = """
import json, sys
sys.argv = sys.argv[1:] or ["manage.py"]
import django
django.setup()
from django.conf import settings
print(json.dumps({"throttles": settings.CACHES["throttles"]["BACKEND"].rsplit(".", 1)[-1],
                  "num_proxies": settings.REST_FRAMEWORK["NUM_PROXIES"]}))
"""


def production_settings(*argv, **env):
    """The settings a process started with `argv` and `env` reads (DEBUG off)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "REDIS_URL"}
    base |= {"DJANGO_SETTINGS_MODULE": "crm_project.settings", "DJANGO_SECRET_KEY": "test-" * 10}
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS, *argv],
        cwd=REPO,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result


@pytest.mark.slow  # starts a Python process
def test_by_default_counters_live_in_the_database_and_no_proxy_is_trusted():
    shown = json.loads(production_settings().stdout)
    assert shown == {"throttles": "DatabaseCache", "num_proxies": 0}


@pytest.mark.slow  # starts a Python process
def test_counters_live_in_redis_when_redis_url_is_set():
    result = production_settings(REDIS_URL="redis://127.0.0.1:6379/2")
    assert json.loads(result.stdout)["throttles"] == "RedisCache"


@pytest.mark.slow  # starts a Python process
def test_only_the_development_server_counts_in_its_own_memory():
    result = production_settings("manage.py", "runserver")
    assert json.loads(result.stdout)["throttles"] == "LocMemCache"


@pytest.mark.slow  # starts a Python process
def test_the_number_of_trusted_proxies_comes_from_the_environment():
    result = production_settings(DJANGO_TRUSTED_PROXIES="2")
    assert json.loads(result.stdout)["num_proxies"] == 2


@pytest.mark.slow
@pytest.mark.parametrize("value", ["-1", "one"])
def test_a_bad_number_of_trusted_proxies_stops_the_process(value):
    result = production_settings(DJANGO_TRUSTED_PROXIES=value)
    assert result.returncode != 0
    assert "DJANGO_TRUSTED_PROXIES" in result.stderr


@pytest.mark.django_db
def test_migrate_creates_the_counters_table():
    assert "throttle_counters" in connection.introspection.table_names()


def counters(backend):
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "throttles": {
            "BACKEND": f"django.core.cache.backends.{backend}",
            "LOCATION": "throttle_counters",
        },
    }


@pytest.mark.parametrize("backend", ["locmem.LocMemCache", "dummy.DummyCache"])
def test_the_check_refuses_counters_per_process_when_not_debugging(settings, backend):
    settings.DEBUG = False
    settings.RUNNING_DEVELOPMENT_SERVER = False
    settings.CACHES = counters(backend)
    errors = throttle_counters_are_shared(None)
    assert [error.id for error in errors] == ["relay.E001"]


def test_the_check_accepts_shared_counters(settings):
    settings.DEBUG = False
    settings.RUNNING_DEVELOPMENT_SERVER = False
    settings.CACHES = counters("db.DatabaseCache")
    assert throttle_counters_are_shared(None) == []


def test_the_check_accepts_counters_per_process_on_the_development_server(settings):
    settings.DEBUG = False
    settings.RUNNING_DEVELOPMENT_SERVER = True
    settings.CACHES = counters("locmem.LocMemCache")
    assert throttle_counters_are_shared(None) == []


@pytest.mark.parametrize("rate", ["sixty/hour", "60", "60/fortnight", "0/"])
def test_the_check_refuses_a_rate_that_does_not_parse(settings, rate):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] | {"calendar_feed": rate}
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"DEFAULT_THROTTLE_RATES": rates}
    assert [error.id for error in throttle_rates_parse(None)] == ["relay.E002"]


def test_the_configured_rates_parse():
    assert throttle_rates_parse(None) == []
