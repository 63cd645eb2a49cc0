from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Registers the OpenAPI extensions of our serializer fields.
        from accounts import checks  # noqa: F401
        from accounts.api import fields  # noqa: F401
