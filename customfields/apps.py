from django.apps import AppConfig


class CustomfieldsConfig(AppConfig):
    name = "customfields"
    verbose_name = "Custom fields"
    default_auto_field = "django.db.models.BigAutoField"
