"""Settings for the test suite: the real settings, with test-only speed-ups."""

from crm_project.settings import *  # noqa: F403
from crm_project.settings import STORAGES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests do not run collectstatic, so no manifest of hashed file names exists.
STORAGES = STORAGES | {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
}

# Throttle counters would pile up across tests in one process: no cache, so no
# throttling, except in the throttling tests (they switch a real cache on).
DUMMY_CACHE = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
CACHES = {"default": DUMMY_CACHE, "throttles": DUMMY_CACHE}
