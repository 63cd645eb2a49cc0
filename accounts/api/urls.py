from django.urls import path

from accounts.api.views import AccountView, MemberListView, MeView, TokenView

auth_urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
]

crm_urlpatterns = [
    path("members/", MemberListView.as_view(), name="api-members"),
    path("account/", AccountView.as_view(), name="api-account"),
]
