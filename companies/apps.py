from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "companies"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the record type (events.kinds), for the trash and merges.
        from companies import services  # noqa: F401
