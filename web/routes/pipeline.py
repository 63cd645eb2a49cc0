"""URLs of the UI's pipeline board (included by web/urls.py under the "web" namespace)."""

from django.urls import path

from web.views.pipeline import BoardView

urlpatterns = [path("", BoardView.as_view(), name="pipeline")]
