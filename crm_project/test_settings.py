"""Settings for the test suite: the real settings, with test-only speed-ups."""

import os

os.environ.setdefault("DJANGO_TESTING", "1")

from crm_project.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
