"""URLs of the notifications (included by web/urls.py under "notifications/", "web"
namespace)."""

from django.urls import path

from web.notifications.views import (
    NotificationBellView,
    NotificationListView,
    NotificationReadAllView,
    NotificationReadView,
)

urlpatterns = [
    path("", NotificationListView.as_view(), name="notifications"),
    path("bell/", NotificationBellView.as_view(), name="notifications-bell"),
    path("read-all/", NotificationReadAllView.as_view(), name="notifications-read-all"),
    path("<int:pk>/read/", NotificationReadView.as_view(), name="notification-read"),
]
