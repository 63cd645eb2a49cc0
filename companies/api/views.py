from accounts.api.viewsets import AccountScopedViewSet, SearchOrderingMixin, TagActionsMixin
from companies.api.filters import CompanyFilter
from companies.api.serializers import CompanySerializer
from companies.models import Company
from events.api.history import HistoryActionMixin


class CompanyViewSet(HistoryActionMixin, SearchOrderingMixin, TagActionsMixin,
                     AccountScopedViewSet):
    """Companies. Deleting one keeps its contacts and subsidiaries, unlinked."""

    model = Company
    serializer_class = CompanySerializer
    filterset_class = CompanyFilter
    ordering_fields = ["name", "created_at"]
    ordering = ["name", "id"]

    def scope_queryset(self, queryset):
        return queryset.with_contact_count().with_tag_list()
