"""URLs of the shared record timeline (web/timeline/views.py, templates/web/_timeline.html).

`/timeline/<record_type>/<pk>/...` for record_type contact, company and deal, one route
per type so each view knows its model. Reverse them with keywords:
`{% url 'web:timeline-page' record_type=... pk=... %}` (and `web:timeline-log`);
`web:timeline-complete` takes an activity's pk.
"""

from django.urls import path

from web.timeline.views import (
    TARGETS,
    ActivityCompleteView,
    TimelineLogView,
    TimelinePageView,
)

urlpatterns = [
    *(
        route
        for record_type in TARGETS
        for route in (
            path(
                f"{record_type}/<int:pk>/",
                TimelinePageView.for_record_type(record_type),
                {"record_type": record_type},
                name="timeline-page",
            ),
            path(
                f"{record_type}/<int:pk>/log/",
                TimelineLogView.for_record_type(record_type),
                {"record_type": record_type},
                name="timeline-log",
            ),
        )
    ),
    path(
        "activities/<int:pk>/complete/",
        ActivityCompleteView.as_view(),
        name="timeline-complete",
    ),
]
