from rest_framework import authentication, exceptions

from accounts.memberships import acting_memberships


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, in one query with the user's default membership.

    The token, its user, and the membership and account the request acts for by
    default come back together (AccountContextMixin uses the membership unless the
    request names another account with X-Account). A user with no active membership, or a
    key that matches no token, takes DRF's own path, so its answers stay DRF's.
    A key that cannot be a token is refused without a query (a NUL byte would
    otherwise reach PostgreSQL and fail there)."""

    def authenticate_credentials(self, key):
        if len(key) > 64 or not key.isascii() or not key.isalnum():
            raise exceptions.AuthenticationFailed("Invalid token.")
        membership = (
            acting_memberships()
            .select_related("account", "user__auth_token")
            .filter(user__auth_token__key=key)
            .order_by("created_at", "id")
            .first()
        )
        if membership is None:
            return super().authenticate_credentials(key)
        user = membership.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        user.default_membership_loaded = membership
        return user, user.auth_token
