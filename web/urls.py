"""The staff UI, by area: each area's URLs live in web/<area>/urls.py."""

from django.urls import include, path

from web.activities.urls import activity_urlpatterns
from web.auth.urls import auth_urlpatterns
from web.deals.urls import board_urlpatterns

app_name = "web"

urlpatterns = [
    path("", include("web.dashboard.urls")),
    path("contacts/", include("web.contacts.urls")),
    path("imports/", include("web.imports.urls")),
    path("companies/", include("web.companies.urls")),
    path("pipeline/", include(board_urlpatterns)),
    path("deals/", include("web.deals.urls")),
    path("agenda/", include("web.activities.urls")),
    path("activities/", include(activity_urlpatterns)),
    path("calendar/", include("web.calendar.urls")),
    path("notes/", include("web.notes.urls")),
    path("search/", include("web.search.urls")),
    path("duplicates/", include("web.duplicates.urls")),
    path("timeline/", include("web.timeline.urls")),
    path("trash/", include("web.trash.urls")),
    path("", include("web.auth.urls")),
    path("profile/", include("web.profile.urls")),
    path("notifications/", include("web.notifications.urls")),
    path("merge/", include("web.merge.urls")),
    path("settings/fields/", include("web.field_settings.urls")),
]

__all__ = ["app_name", "auth_urlpatterns", "urlpatterns"]
