from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the record type (events.kinds), for the trash and merges.
        from contacts import services  # noqa: F401
