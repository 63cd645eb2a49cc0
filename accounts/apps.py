from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from accounts.row_counts import ensure_installed

        post_migrate.connect(ensure_installed, sender=self, dispatch_uid="row_count_triggers")
        # Registers the OpenAPI extensions of our serializer fields.
        from accounts import checks  # noqa: F401
        from accounts.api import fields  # noqa: F401
