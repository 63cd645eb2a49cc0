from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every appended event passes the assignment rule (notifications.assignments).
        from events.services import on_events_appended
        from notifications.assignments import notify_assignments

        on_events_appended(notify_assignments)
