from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "notes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the record type (events.kinds), for the trash and merges.
        from notes import services  # noqa: F401
