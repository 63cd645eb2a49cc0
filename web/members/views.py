"""The account's members: the list (everyone reads it), and for owners and admins
inviting a teammate (a one-time link where they set their password), changing a role,
deactivating, reactivating and removing (web/roles.py). Every write goes through the
services of accounts/services.py; a change that would leave the account without an
active owner is a 409 with the services' message.

The set-password page is public: the link's token (Django's `default_token_generator`,
as in a password reset) is what lets the teammate in. It depends on the user's password,
so it works once, and on the time, so it expires after PASSWORD_RESET_TIMEOUT.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, ListView

from accounts.models import Membership
from accounts.services import (
    LastOwner,
    OwnersOnly,
    UsernameTaken,
    membership_change_role,
    membership_deactivate,
    membership_invite,
    membership_reactivate,
    membership_remove,
)
from web.members.forms import InviteForm, RoleForm
from web.roles import ManagersWriteMixin
from web.tenancy import AccountViewMixin


def set_password_link(request, user) -> str:
    """The absolute one-time link where `user` sets their password."""
    path = reverse(
        "member-set-password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return request.build_absolute_uri(path)


class MembersMixin(AccountViewMixin, ManagersWriteMixin):
    model = Membership

    def scope_queryset(self, queryset):
        return queryset.select_related("user")

    def members_page(self, *, status=200, error=None):
        """The list, answered in place of a refused action (status 400 or 409) with the
        reason as an error message, so the page says why nothing changed."""
        if error:
            messages.error(self.request, error)
        view = MemberListView(request=self.request, kwargs={}, args=())
        view.object_list = view.get_queryset()
        return view.render_to_response(view.get_context_data(), status=status)


class MemberListView(MembersMixin, ListView):
    """GET: every member with their name, email, role and status. One query."""

    template_name = "web/members/list.html"
    context_object_name = "members"

    def scope_queryset(self, queryset):
        return (
            super()
            .scope_queryset(queryset)
            .order_by("user__first_name", "user__last_name", "user__username", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        acting = self.request.membership
        for member in context["members"]:
            member.may_change = acting.may_change_member(member)
            member.invited = not member.user.has_usable_password()
            member.role_choices = [
                choice
                for choice in Membership.Role.choices
                if acting.may_change_member(member, role=choice[0])
            ]
        context["acting"] = acting
        return context


@method_decorator(never_cache, name="dispatch")
class MemberInviteView(MembersMixin, FormView):
    """GET: the form (owners and admins only); POST: create the teammate and show the
    one-time link where they set their password (shown once: the page is not cached)."""

    managers_only = True
    form_class = InviteForm
    template_name = "web/members/invite.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "acting": self.request.membership}

    def form_valid(self, form):
        try:
            membership = membership_invite(
                account=self.request.account, by=self.request.membership, **form.cleaned_data
            )
        except UsernameTaken:  # taken between the form's check and the service's
            form.add_error("username", "This username is already taken.")
            return self.form_invalid(form)
        return link_page(self.request, membership, created=True)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


def link_page(request, membership, *, created: bool):
    """The one-time link, shown to the owner or admin who asked for it."""
    context = {
        "member": membership,
        "link": set_password_link(request, membership.user),
        "created": created,
        "timeout_days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1),
    }
    return render(request, "web/members/link.html", context, status=201 if created else 200)


class MemberActionView(MembersMixin, View):
    """POST on one member (404 for another account's); owners and admins only, and
    only an owner may change an owner or make one."""

    http_method_names = ["post"]

    def post(self, request, pk):
        member = self.get_object()
        role = self.posted_role()
        try:
            # The services judge the acting member (`by`) under their lock.
            answer = self.act(member, role)
        except OwnersOnly as exc:
            raise PermissionDenied(str(exc)) from exc
        except LastOwner as exc:
            return self.members_page(status=409, error=str(exc))
        return answer or HttpResponseRedirect(reverse("web:members"))

    def posted_role(self):
        return None

    def act(self, member, role):
        raise NotImplementedError


class MemberRoleView(MemberActionView):
    """POST `role`: give the member that role."""

    def post(self, request, pk):
        form = RoleForm(request.POST)
        if not form.is_valid():
            self.get_object()  # another account's member is still a 404
            return self.members_page(status=400, error="Pick a role: owner, admin or member.")
        self.role = form.cleaned_data["role"]
        return super().post(request, pk)

    def posted_role(self):
        return self.role

    def act(self, member, role):
        membership_change_role(membership=member, role=role, by=self.request.membership)
        messages.success(
            self.request, f"{member.user.get_full_name() or member.user.username} is now {role}."
        )


class MemberDeactivateView(MemberActionView):
    def act(self, member, role):
        membership_deactivate(membership=member, by=self.request.membership)
        messages.success(
            self.request,
            f"{member.user.get_full_name() or member.user.username} is deactivated: they can "
            "no longer use this account. Their records stay theirs.",
        )


class MemberReactivateView(MemberActionView):
    def act(self, member, role):
        membership_reactivate(membership=member, by=self.request.membership)
        messages.success(
            self.request, f"{member.user.get_full_name() or member.user.username} is active again."
        )


class MemberRemoveView(MemberActionView):
    def act(self, member, role):
        membership_remove(membership=member, by=self.request.membership)
        messages.success(
            self.request,
            f"{member.user.get_full_name() or member.user.username} was removed from the "
            "account. Their records stay theirs.",
        )


@method_decorator(never_cache, name="dispatch")
class MemberLinkView(MemberActionView):
    """POST: a new one-time link for a teammate who has not set a password yet (the
    first one was shown once). Never for one who has: that would hand their account
    to whoever manages this one."""

    def act(self, member, role):
        if member.user.has_usable_password():
            return self.members_page(
                status=409, error="They have set a password already: no link is needed."
            )
        return link_page(self.request, member, created=False)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """Public: the invited teammate's first password, through the one-time link. Then
    they are signed in and land on the dashboard. A wrong, used or expired link is a 400
    page that says what to do."""

    template_name = "web/members/set_password.html"
    form_class = auth_views.SetPasswordForm
    post_reset_login = True
    success_url = reverse_lazy("web:dashboard")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        # Only for a teammate who has no password yet: never a way to reset one.
        return user if user is not None and not user.has_usable_password() else None

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password is set. Welcome to Relay!")
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def render_to_response(self, context, **kwargs):
        if not self.validlink:
            kwargs.setdefault("status", 400)
        return super().render_to_response(context, **kwargs)
