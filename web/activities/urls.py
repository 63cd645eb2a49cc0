"""URLs of the agenda (included by web/urls.py under "agenda/", "web" namespace).

The activity actions live here too; every page that lists activities posts to them
(`{% url 'web:activity-complete' activity.pk %}`, `-start`, `-cancel`, `-delete`).
"""

from django.urls import path

from web.activities.views import ActivityActionView, ActivityDeleteView, AgendaView

urlpatterns = [
    path("", AgendaView.as_view(), name="agenda"),
    *(
        path(
            f"activities/<int:pk>/{action}/",
            ActivityActionView.as_view(action=action),
            name=f"activity-{action}",
        )
        for action in ("start", "complete", "cancel")
    ),
    path("activities/<int:pk>/delete/", ActivityDeleteView.as_view(), name="activity-delete"),
]
