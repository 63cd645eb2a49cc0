"""`GET /api/v1/crm/{type}/{id}/history/` also for a record in the trash."""

from django.http import Http404

from events.api.history import HistoryActionMixin
from trash.models import TrashedRecord


class RecordHistoryMixin(HistoryActionMixin):
    """The history action of the record viewsets: the record's own, whether it is
    live or in the account's trash (contract, "Events")."""

    def history_of(self, pk) -> tuple[str, int]:
        try:
            return super().history_of(pk)
        except Http404:
            record_type = self.model._meta.model_name
            trashed = TrashedRecord.objects.for_account(self.request.account).filter(
                record_type=record_type, record_id=pk
            )
            if str(pk).isdigit() and trashed.exists():
                return record_type, int(pk)
            raise
