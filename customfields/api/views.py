from rest_framework import permissions

from accounts.api.viewsets import AccountScopedViewSet
from customfields.api.serializers import CustomFieldDefinitionSerializer
from customfields.models import CustomFieldDefinition
from customfields.services import custom_field_create, custom_field_delete, custom_field_update


class CanDefineCustomFields(permissions.BasePermission):
    """Owners and admins define the account's custom fields; members read them."""

    message = "Only the account's owners and admins can change its custom fields."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.membership is not None and request.membership.can_manage_account


class CustomFieldDefinitionViewSet(AccountScopedViewSet):
    """The account's custom field definitions for contacts, companies and deals.
    Deleting one keeps the values records store under its key."""

    model = CustomFieldDefinition
    serializer_class = CustomFieldDefinitionSerializer
    permission_classes = [permissions.IsAuthenticated, CanDefineCustomFields]
    filterset_fields = ["record_type", "type"]
    ordering_fields = ["key", "label", "created_at"]
    ordering = ["record_type", "key", "id"]

    def perform_create(self, serializer):
        serializer.instance = custom_field_create(
            account=self.request.account, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = custom_field_update(
            definition=serializer.instance, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        custom_field_delete(definition=instance)
