from django.apps import AppConfig


class WebConfig(AppConfig):
    """The staff web UI. It sits above every domain app and imports from them all."""

    name = "web"
    default_auto_field = "django.db.models.BigAutoField"
