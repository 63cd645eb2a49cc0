"""Configuration mistakes reported by `manage.py check` (and at runserver)."""

from django.conf import settings
from django.core.checks import Warning, register


@register()
def secret_key_is_set(app_configs, **kwargs):
    if getattr(settings, "SECRET_KEY_IS_EPHEMERAL", False) and not settings.DEBUG:
        return [
            Warning(
                "DJANGO_SECRET_KEY is not set: this process uses a throwaway key.",
                hint="Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).",
                id="relay.W001",
            )
        ]
    return []
