import os

from django.core.asgi import get_asgi_application
from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")
application = get_asgi_application()

from django.conf import settings  # noqa: E402

if settings.SECRET_KEY_IS_EPHEMERAL and not settings.DEBUG:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY to serve with DJANGO_DEBUG off.")
