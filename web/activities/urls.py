"""URLs of the agenda (included by web/urls.py under "agenda/", "web" namespace) and of
the activities' own pages (`activity_urlpatterns`, under "activities/").

The activity actions live here too; every page that lists activities posts to them
(`{% url 'web:activity-complete' activity.pk %}`, `-start`, `-cancel`, `-reopen`,
`-reschedule`, `-delete`).
"""

from django.urls import path

from web.activities.pages import ActivityFieldEditView, ActivityLogView, ActivityPageView
from web.activities.views import (
    ActivityActionView,
    ActivityDeleteView,
    ActivityRescheduleView,
    AgendaView,
)

urlpatterns = [
    path("", AgendaView.as_view(), name="agenda"),
    *(
        path(
            f"activities/<int:pk>/{action}/",
            ActivityActionView.as_view(action=action),
            name=f"activity-{action}",
        )
        for action in ("start", "complete", "cancel", "reopen")
    ),
    path(
        "activities/<int:pk>/reschedule/",
        ActivityRescheduleView.as_view(),
        name="activity-reschedule",
    ),
    path("activities/<int:pk>/delete/", ActivityDeleteView.as_view(), name="activity-delete"),
]

activity_urlpatterns = [
    path("new/", ActivityPageView.as_view(), name="activity-new"),
    path("log/", ActivityLogView.as_view(), name="activity-log"),
    path("<int:pk>/", ActivityPageView.as_view(), name="activity"),
    path("<int:pk>/fields/<slug:field>/", ActivityFieldEditView.as_view(), name="activity-field"),
]
