"""The account's settings: an index of the settings pages, and the account page
(owners and admins change it, members read it: web/roles.py)."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from accounts.models import Membership
from accounts.services import account_update
from web.roles import ManagersWriteMixin, may_manage
from web.settings.forms import AccountSettingsForm
from web.tenancy import AccountViewMixin


class SettingsIndexView(AccountViewMixin, ManagersWriteMixin, TemplateView):
    """GET: links to every settings page (some are built by other areas)."""

    template_name = "web/settings/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.request.account
        # One query: how many people are in the account, for the Members card.
        context["member_count"] = Membership.objects.for_account(account).active().count()
        return context


class AccountSettingsView(AccountViewMixin, ManagersWriteMixin, FormView):
    """GET: the account's settings; POST: change them through `account_update`, the
    service the API's PATCH /account/ calls too."""

    form_class = AccountSettingsForm
    template_name = "web/settings/account.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # A copy: a form that fails validation must not rename the account in the
        # page's header (ModelForm writes the posted values on its instance).
        kwargs["instance"] = copy.copy(self.request.account)
        kwargs["read_only"] = not may_manage(self.request)
        return kwargs

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            account_update(account=self.request.account, data=data)
        except ValidationError as exc:  # the model's own validators, should the form miss one
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Account settings saved." if data else "Nothing changed.")
        return HttpResponseRedirect(reverse("web:account-settings"))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
