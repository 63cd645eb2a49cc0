"""URLs of the UI's agenda pages (included by web/urls.py under the "web" namespace).

The activity actions live here too; every page that lists activities posts to them
(`{% url 'web:activity-complete' activity.pk %}`, `-start`, `-cancel`).
"""

from django.urls import path

from web.views.activity_actions import ActivityActionView
from web.views.agenda import AgendaView

urlpatterns = [
    path("", AgendaView.as_view(), name="agenda"),
    path(
        "activities/<int:pk>/start/",
        ActivityActionView.as_view(action="start"),
        name="activity-start",
    ),
    path(
        "activities/<int:pk>/complete/",
        ActivityActionView.as_view(action="complete"),
        name="activity-complete",
    ),
    path(
        "activities/<int:pk>/cancel/",
        ActivityActionView.as_view(action="cancel"),
        name="activity-cancel",
    ),
]
