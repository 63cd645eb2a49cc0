"""Signing in and out (under the sign-in limits), and switching the account a user
acts for."""

from functools import wraps

from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.login_throttles import SignInLimits
from accounts.memberships import NoSuchMembership, resolve_membership
from web.tenancy import SESSION_KEY, AccountViewMixin


def sign_in_limited(login_view):
    """Puts a sign-in view (ours, the admin's) under the sign-in limits of
    accounts/login_throttles.py: while one is reached, a POST gets the 429 page with
    Retry-After and its password is not checked; a successful sign-in is not counted
    and makes the client known for the username."""

    @wraps(login_view)
    def view(request, *args, **kwargs):
        if request.method != "POST":
            return login_view(request, *args, **kwargs)
        limits = SignInLimits(request, request.POST)
        wait = limits.refusal()
        if wait is not None:
            return throttled_page(request, wait)
        user_before = request.user
        response = login_view(request, *args, **kwargs)
        # django.contrib.auth.login() replaces request.user, and only it does.
        if request.user is not user_before and request.user.is_authenticated:
            limits.succeeded(response)
        return response

    return view


def throttled_page(request, wait: int):
    """The 429 page of every sign-in form, with Retry-After."""
    response = render(request, "registration/throttled.html", {"wait": wait}, status=429)
    response["Retry-After"] = str(wait)
    return response


@method_decorator(sign_in_limited, name="dispatch")
class ThrottledLoginView(auth_views.LoginView):
    """Django's sign-in, under the same limits as the API's token endpoint."""

    redirect_authenticated_user = True


class SwitchAccountView(AccountViewMixin, View):
    """POST `account`: act for another of the user's accounts from now on."""

    http_method_names = ["post"]

    def post(self, request):
        try:
            membership = resolve_membership(request.user, request.POST.get("account"))
        except NoSuchMembership:
            membership = None
        if membership is not None:
            request.session[SESSION_KEY] = membership.account_id
        target = request.POST.get("next") or "/"
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "/"
        return HttpResponseRedirect(target)
