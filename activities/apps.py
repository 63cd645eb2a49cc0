from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "activities"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the record type (events.kinds), for the trash and merges.
        from activities import services  # noqa: F401
