"""URLs of signing in and out (at the site's root, no namespace: Django's auth views
reverse `login`, `password_change_done`) and of the account switch ("web" namespace)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from web.auth.views import SwitchAccountView, ThrottledLoginView

urlpatterns = [
    path("account/switch/", SwitchAccountView.as_view(), name="switch-account"),
]

auth_urlpatterns = [
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
]
