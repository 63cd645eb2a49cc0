"""`/api/v1/notifications/`: the request's user's notifications in the request's
account. Another user's or account's notification is a 404 like a missing one."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.viewsets import AccountScopedGenericViewSet
from notifications.api.serializers import MarkedSerializer, NotificationSerializer
from notifications.filters import NotificationFilter
from notifications.models import Notification
from notifications.services import notification_mark_read, notifications_mark_all_read


class NotificationViewSet(mixins.ListModelMixin, AccountScopedGenericViewSet):
    """Newest first; `?unread=true` for the unread ones."""

    model = Notification
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    filter_backends = [DjangoFilterBackend]  # always newest first: no ordering
    http_method_names = ["get", "post", "head", "options"]

    def scope_queryset(self, queryset):
        return queryset.of_user(self.request.user)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark the notification read; answers with it."""
        notification = notification_mark_read(notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=None, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification read; answers how many."""
        marked = notifications_mark_all_read(account=request.account, user=request.user)
        return Response({"marked": marked})
