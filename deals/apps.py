from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "deals"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The receivers; the services register the record type (events.kinds).
        from deals import receivers, services  # noqa: F401
