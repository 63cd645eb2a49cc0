"""Signing in again returns to the page the user was on, never to the request that
found the session gone.

`LoginRequiredMixin` answers an anonymous request with a redirect to the sign-in page
whose `next` is the request's own path. For two kinds of request that is wrong:

- an htmx request: XMLHttpRequest follows the redirect silently, so htmx swapped the
  whole sign-in page into the list it was updating; and its path is a partial or an
  action (often POST-only), so signing in there landed on a 405;
- a plain form POST: `next` is the form's action, which the browser then GETs: a 405.

`SignInReturnsToPageMiddleware` rewrites those redirects: `next` becomes the page the
user was looking at (htmx's `HX-Current-URL`, or the same-site `Referer` of a POST),
and over htmx the redirect becomes `HX-Redirect`, a full-page navigation. An htmx
request refused with a 403 while signed out (the CSRF check, when the cookie went with
the session) is sent to sign-in the same way: there is nothing else it could do.

Except a background request: one the user did not ask for, such as the header bell's
poll or a form field's validation as the user leaves it. Taking the page away then
would throw away what the user was typing, at a moment they did not choose. Such
requests carry `Relay-Background: 1` (an `hx-headers` in their template) and, signed
out, are answered `204 No Content`: htmx swaps nothing, the page stays as it is, and
the user's next action of their own leads to sign-in.
"""

from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from lib.api.errors import is_api_path

SAFE_METHODS = ("GET", "HEAD")
BACKGROUND_HEADER = "Relay-Background"


def page_to_return_to(request) -> str | None:
    """The path (and query) of the page the user was on when this request found them
    signed out; None when it is not known or not ours."""
    if request.htmx:
        candidate = request.htmx.current_url
    elif request.method not in SAFE_METHODS:
        candidate = request.META.get("HTTP_REFERER")
    else:
        return request.get_full_path()
    if not candidate or not url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return None
    parts = urlsplit(candidate)
    login_path = resolve_url(settings.LOGIN_URL)
    if parts.path == login_path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sign_in_url(next_path: str | None) -> str:
    """The sign-in page, coming back to `next_path` afterwards."""
    login = resolve_url(settings.LOGIN_URL)
    return f"{login}?{urlencode({'next': next_path})}" if next_path else login


def is_redirect_to_sign_in(response) -> bool:
    """A redirect to sign-in that means to come back (`next`), as `LoginRequiredMixin`
    answers; not the one after signing out."""
    if not isinstance(response, HttpResponseRedirect):
        return False
    target = urlsplit(response.url)
    return target.path == resolve_url(settings.LOGIN_URL) and "next" in parse_qs(target.query)


def needs_sign_in(request, response) -> bool:
    """Whether this answer means "sign in first" to a signed-out user of the UI."""
    refused = response.status_code == 403 and request.htmx and not is_api_path(request.path)
    if not (refused or is_redirect_to_sign_in(response)):
        return False
    return not request.user.is_authenticated  # last: it may cost a session query


class SignInReturnsToPageMiddleware:
    """Placed after AuthenticationMiddleware and HtmxMiddleware; see the module's
    docstring. Only redirects of a signed-out user to our own sign-in page are touched
    (the admin has its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not needs_sign_in(request, response):
            return response
        if request.htmx and request.headers.get(BACKGROUND_HEADER) == "1":
            response = HttpResponse(status=204)
            patch_vary_headers(response, ["HX-Request", BACKGROUND_HEADER])
        elif request.htmx:
            response = HttpResponseClientRedirect(sign_in_url(page_to_return_to(request)))
            patch_vary_headers(response, ["HX-Request"])
        elif request.method not in SAFE_METHODS:
            response = HttpResponseRedirect(sign_in_url(page_to_return_to(request)))
        return response
