"""URLs of the user's profile (included by web/urls.py under "profile/", "web"
namespace)."""

from django.urls import path

from web.profile.views import ApiTokenView, NotificationPreferencesView, ProfileView

urlpatterns = [
    path("", ProfileView.as_view(), name="profile"),
    path("token/", ApiTokenView.as_view(), name="profile-token"),
    path(
        "notifications/",
        NotificationPreferencesView.as_view(),
        name="profile-notifications",
    ),
]
