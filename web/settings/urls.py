"""URLs of the account's settings (included by web/urls.py under "settings/", "web"
namespace). Members live in web/members/, under "settings/members/"."""

from django.urls import path

from web.settings.views import AccountSettingsView, SettingsIndexView

urlpatterns = [
    path("", SettingsIndexView.as_view(), name="settings"),
    path("account/", AccountSettingsView.as_view(), name="account-settings"),
]
