"""URLs of the calendar (included by web/urls.py under "calendar/", "web" namespace)."""

from django.urls import path

from web.calendar.views import ActivityMoveView, CalendarView, FeedResetView

urlpatterns = [
    path("", CalendarView.as_view(), name="calendar"),
    path("activities/<int:pk>/move/", ActivityMoveView.as_view(), name="calendar-move"),
    path("feed/reset/", FeedResetView.as_view(), name="calendar-feed-reset"),
]
