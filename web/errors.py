"""The styled 403 page for the web app and the admin (the API answers JSON).

A signed-in user who belongs to no account gets a 403 from every page
(web/tenancy.py `activate_account`); the page tells them what to do next instead of
a bare "Forbidden".
"""

from django.shortcuts import render

from accounts.memberships import acting_memberships
from lib.api.errors import is_api_path, json_error


def permission_denied(request, exception=None):
    """handler403: 403 with the base layout; one query to tell a user who belongs to
    no account from one who may not open this page."""
    if is_api_path(request.path):
        return json_error("You do not have permission to perform this action.", 403)
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    context = {"no_account": signed_in and not acting_memberships().filter(user=user).exists()}
    return render(request, "403.html", context, status=403)
