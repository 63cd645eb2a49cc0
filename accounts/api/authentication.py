from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication; a key that cannot be a token is refused without a
    query (a NUL byte would otherwise reach PostgreSQL and fail there)."""

    def authenticate_credentials(self, key):
        if len(key) > 64 or not key.isascii() or not key.isalnum():
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)
