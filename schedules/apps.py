from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SchedulesConfig(AppConfig):
    name = "schedules"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Jobs register themselves with @recurring in their app's tasks.py.
        autodiscover_modules("tasks")
        post_migrate.connect(queue_schedules_after_migrate, sender=self)


def queue_schedules_after_migrate(using, **kwargs):
    """`migrate` (which `make run` and every deploy run before the worker starts)
    leaves exactly one run of each job queued."""
    from schedules.recurring import ensure_schedules

    ensure_schedules(using=using)
