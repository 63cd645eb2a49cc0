from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from accounts.memberships import NoSuchMembership, resolve_membership
from web.tenancy import SESSION_KEY, AccountViewMixin


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
