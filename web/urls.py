"""The staff UI, by area: each area's URLs live in web/<area>/urls.py."""

from django.urls import include, path

from web.activities.urls import activity_urlpatterns
from web.auth.urls import auth_urlpatterns
from web.deals.urls import board_urlpatterns
from web.members.urls import public_urlpatterns as member_public_urlpatterns

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
    path("pickers/", include("web.pickers.urls")),
    path("duplicates/", include("web.duplicates.urls")),
    path("timeline/", include("web.timeline.urls")),
    path("trash/", include("web.trash.urls")),
    path("", include("web.auth.urls")),
    path("profile/", include("web.profile.urls")),
    path("settings/", include("web.settings.urls")),
    path("settings/members/", include("web.members.urls")),
    path("notifications/", include("web.notifications.urls")),
    path("merge/", include("web.merge.urls")),
    path("settings/pipelines/", include("web.pipeline_settings.urls")),
    path("settings/tags/", include("web.tag_settings.urls")),
    path("settings/fields/", include("web.field_settings.urls")),
]

__all__ = ["app_name", "auth_urlpatterns", "member_public_urlpatterns", "urlpatterns"]
