from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, permissions
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.record_writes import RecordWritesMixin
from accounts.api.serializers import (
    AccountSerializer,
    MemberSerializer,
    MeSerializer,
    TagSerializer,
)
from accounts.api.viewsets import AccountContextMixin, AccountScopedViewSet
from accounts.login_throttles import SignInLimits
from accounts.memberships import acting_memberships
from accounts.models import Account, Membership, Tag, User
from accounts.services import account_update, tag_create, tag_update, tags_delete


class TokenView(ObtainAuthToken):
    """`POST {"username", "password"}` → `{"token": "..."}`; 400 on wrong credentials.

    Under the sign-in limits (accounts/login_throttles.py): 429 with Retry-After."""

    # The API's own JSON parser (StrictJSONParser), not ObtainAuthToken's plain one, which
    # lets 2,000 nested brackets escape as a RecursionError (a 500); forms still work.
    parser_classes = [*APIView.parser_classes, FormParser, MultiPartParser]
    # The sign-in limits count failures only, so they wrap the password check in post()
    # instead of running before the view as DRF's throttles do.
    throttle_classes = []

    def post(self, request, *args, **kwargs):
        limits = SignInLimits(request, request.data)
        wait = limits.refusal()
        if wait is not None:
            raise exceptions.Throttled(wait)
        response = super().post(request, *args, **kwargs)  # raises 400 on a wrong password
        limits.succeeded(response)
        return response


class MeView(AccountContextMixin, APIView):
    @extend_schema(responses=MeSerializer)
    def get(self, request):
        # User, not type(request.user): a session's user is a SimpleLazyObject.
        # Deactivated memberships are not accounts the user may act for.
        memberships = Prefetch("memberships", acting_memberships().select_related("account"))
        user = User.objects.prefetch_related(memberships).get(pk=request.user.pk)
        return Response(MeSerializer(user, context={"request": request}).data)


class MemberListView(AccountContextMixin, generics.ListAPIView):
    """The members of the request's account. Read-only."""

    serializer_class = MemberSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        return (
            Membership.objects.filter(account=self.request.account)
            .select_related("user")
            .order_by("user__username", "user_id")
        )


class CanManageAccount(permissions.BasePermission):
    message = "Only the account's owners and admins can change it."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.membership.can_manage_account


class AccountView(RecordWritesMixin, AccountContextMixin, generics.RetrieveUpdateAPIView):
    """The request's account. Owners and admins may PATCH it (also with If-Match)."""

    serializer_class = AccountSerializer
    permission_classes = [permissions.IsAuthenticated, CanManageAccount]
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        account = self.request.account
        if not self.has_precondition:
            return account
        accounts = Account.objects.filter(pk=account.pk)
        self.lock_record(accounts)
        account = accounts.get()  # as it stands now, not as the request began
        self.check_precondition(account)
        return account

    def perform_update(self, serializer):
        # The one write path of an account's settings (the web app and admin use it too).
        serializer.instance = account_update(
            account=serializer.instance, data=serializer.validated_data
        )


class TagViewSet(AccountScopedViewSet):
    """Per-account tags. Deleting one removes it from every record, deleting no record."""

    model = Tag
    serializer_class = TagSerializer
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]
    filterset_fields = []

    def perform_create(self, serializer):
        serializer.instance = tag_create(
            account=self.request.account, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = tag_update(tag=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance):
        tags_delete(account_id=instance.account_id, tag_ids=[instance.pk])
