"""URLs of the pipeline settings (included by web/urls.py under "settings/pipelines/",
"web" namespace)."""

from django.urls import path

from web.pipeline_settings.views import (
    PipelineDeleteView,
    PipelineDetailView,
    PipelineListView,
    StageAddView,
    StageDeleteView,
    StageMoveView,
    StageOrderView,
    StageUpdateView,
)

urlpatterns = [
    path("", PipelineListView.as_view(), name="pipeline-settings"),
    path("<int:pk>/", PipelineDetailView.as_view(), name="pipeline-settings-pipeline"),
    path("<int:pk>/delete/", PipelineDeleteView.as_view(), name="pipeline-settings-delete"),
    path("<int:pk>/stages/", StageAddView.as_view(), name="pipeline-settings-stage-add"),
    path("<int:pk>/order/", StageOrderView.as_view(), name="pipeline-settings-order"),
    path("stages/<int:pk>/", StageUpdateView.as_view(), name="pipeline-settings-stage"),
    path("stages/<int:pk>/move/", StageMoveView.as_view(), name="pipeline-settings-stage-move"),
    path(
        "stages/<int:pk>/delete/", StageDeleteView.as_view(), name="pipeline-settings-stage-delete"
    ),
]
