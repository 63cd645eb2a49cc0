from django.urls import path, re_path
from rest_framework.routers import SimpleRouter

from activities.api.calendar import CalendarFeedView, MeCalendarResetView, MeCalendarView
from activities.api.views import ActivityViewSet

router = SimpleRouter()
router.register("activities", ActivityViewSet, basename="activity")
urlpatterns = router.urls

# Under /api/v1/, beside `me/` (crm_project/urls.py).
me_urlpatterns = [
    path("me/calendar/", MeCalendarView.as_view(), name="api-me-calendar"),
    path("me/calendar/reset/", MeCalendarResetView.as_view(), name="api-me-calendar-reset"),
    re_path(
        r"^calendar-feeds/(?P<account_id>[0-9]{1,19})/(?P<secret>[A-Za-z0-9_-]{43})\.ics$",
        CalendarFeedView.as_view(),
        name="api-calendar-feed",
    ),
]
