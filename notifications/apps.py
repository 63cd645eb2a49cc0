from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every appended event passes the assignment rule (notifications.assignments).
        from activities.new_activity_defaults import provide_new_activity_defaults
        from events.services import on_events_appended
        from notifications.assignments import notify_assignments
        from notifications.reminders import default_reminder

        on_events_appended(notify_assignments)
        # A new activity starts with its creator's default reminder.
        provide_new_activity_defaults(default_reminder)
