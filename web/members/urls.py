"""URLs of the account's members (included by web/urls.py under "settings/members/",
"web" namespace), and the public set-password page of an invited teammate
(`public_urlpatterns`, at the site's root without a namespace, like signing in)."""

from django.urls import path

from web.members.views import (
    MemberDeactivateView,
    MemberInviteView,
    MemberLinkView,
    MemberListView,
    MemberReactivateView,
    MemberRemoveView,
    MemberRoleView,
    SetPasswordView,
)

urlpatterns = [
    path("", MemberListView.as_view(), name="members"),
    path("new/", MemberInviteView.as_view(), name="member-invite"),
    path("<int:pk>/role/", MemberRoleView.as_view(), name="member-role"),
    path("<int:pk>/deactivate/", MemberDeactivateView.as_view(), name="member-deactivate"),
    path("<int:pk>/reactivate/", MemberReactivateView.as_view(), name="member-reactivate"),
    path("<int:pk>/remove/", MemberRemoveView.as_view(), name="member-remove"),
    path("<int:pk>/link/", MemberLinkView.as_view(), name="member-link"),
]

public_urlpatterns = [
    path("welcome/<uidb64>/<token>/", SetPasswordView.as_view(), name="member-set-password"),
]
