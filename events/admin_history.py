"""The admin's History page of a record: its events, whatever face made the change."""

from django.contrib.admin.utils import unquote

from events.models import Event


class RecordHistoryAdmin:
    """Mixin for the admin of a record type (contact, company, deal, activity, note):
    Django's History page (its LogEntry list) with the record's events on top."""

    object_history_template = "admin/record_history.html"
    # A record's History page lists this many of its latest events.
    history_events_shown = 100

    def history_view(self, request, object_id, extra_context=None):
        """Who, when, from which face and what changed."""
        obj = self.get_object(request, unquote(object_id))  # scoped: None if not theirs
        events = self.record_events(obj) if obj is not None else None
        return super().history_view(
            request,
            object_id,
            extra_context={
                "record_events": events,
                "record_events_limit": self.history_events_shown,
                **(extra_context or {}),
            },
        )

    def record_events(self, obj):
        """The record's latest events, newest first. One query, with the actors."""
        events = (
            Event.objects.for_account(obj.account_id)
            .of_record(obj._meta.model_name, obj.pk)
            .select_related("actor")
        )
        return list(events[: self.history_events_shown])
