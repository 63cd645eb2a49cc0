"""Configuration mistakes reported by `manage.py check` (and at runserver)."""

from django.conf import settings
from django.core.checks import Error, Warning, register


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


# Backends that keep counters in one process's memory, or keep none at all.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register()
def throttle_counters_are_shared(app_configs, **kwargs):
    """Rate limits hold under several worker processes only if they share counters."""
    backend = settings.CACHES.get("throttles", {}).get("BACKEND", "")
    if settings.DEBUG or getattr(settings, "RUNNING_DEVELOPMENT_SERVER", False):
        return []
    if backend in PER_PROCESS_CACHES or not backend:
        return [
            Error(
                f"The rate-limit counters (CACHES['throttles']) use {backend or 'no cache'}: "
                "each worker process would count on its own and grant the whole budget.",
                hint="Use the database cache (the default) or Redis (REDIS_URL).",
                id="relay.E001",
            )
        ]
    return []


@register()
def throttle_rates_parse(app_configs, **kwargs):
    """Every rate (`API_THROTTLE_RATE`, `CALENDAR_FEED_THROTTLE_RATE`, ...) reads as
    `<count>/<sec|min|hour|day>`: a typo would otherwise be a 500 on the first request
    it limits."""
    from rest_framework.throttling import SimpleRateThrottle

    errors = []
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    for scope, rate in rates.items():
        try:
            SimpleRateThrottle.parse_rate(None, rate)
        except (ValueError, KeyError, IndexError, AttributeError, TypeError):
            errors.append(
                Error(
                    f"The {scope!r} throttle rate {rate!r} is not a rate.",
                    hint="Write it as <count>/<sec|min|hour|day>, e.g. 60/hour.",
                    id="relay.E002",
                )
            )
    return errors
