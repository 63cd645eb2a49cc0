"""The signed-in user's own page: their name and email, a link to change the password,
and their API token, which they create or regenerate here (the admin shows tokens to
superusers only). The page shows a secret, so neither it nor its answers are cached."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, UpdateView
from rest_framework.authtoken.models import Token

from accounts.services import api_token_regenerate
from notifications.models import NotificationPreferences
from notifications.services import notification_preferences_save
from web.profile.forms import NotificationPreferencesForm, ProfileForm
from web.tenancy import AccountViewMixin


@method_decorator(never_cache, name="dispatch")
class ProfileView(AccountViewMixin, UpdateView):
    """GET: the profile; POST: save the name and email."""

    form_class = ProfileForm
    template_name = "web/profile.html"
    success_url = reverse_lazy("web:profile")

    def get_object(self, queryset=None):
        return self.request.user

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["api_token"] = Token.objects.filter(user=self.request.user).first()
        return context

    def form_valid(self, form):
        messages.success(self.request, "Profile saved.")
        return super().form_valid(form)


@method_decorator(never_cache, name="dispatch")
class ApiTokenView(AccountViewMixin, View):
    """POST: a new API token for the signed-in user; the old key stops working."""

    http_method_names = ["post"]

    def post(self, request):
        replaced = Token.objects.filter(user=request.user).exists()
        api_token_regenerate(user=request.user)
        messages.success(
            request,
            "New API token created; the old one no longer works."
            if replaced
            else "API token created.",
        )
        return HttpResponseRedirect(reverse("web:profile"))


class NotificationPreferencesView(AccountViewMixin, FormView):
    """GET: the user's notification preferences; POST: save them."""

    form_class = NotificationPreferencesForm
    template_name = "web/profile_notifications.html"
    success_url = reverse_lazy("web:profile-notifications")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = NotificationPreferences.for_user(self.request.user)
        return kwargs

    def form_valid(self, form):
        notification_preferences_save(user=self.request.user, **form.cleaned_data)
        messages.success(self.request, "Notification preferences saved.")
        return super().form_valid(form)
