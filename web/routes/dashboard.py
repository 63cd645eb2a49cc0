"""URLs of the UI's dashboard (included by web/urls.py under the "web" namespace)."""

from django.urls import path

from web.views.dashboard import DashboardView

urlpatterns = [path("", DashboardView.as_view(), name="dashboard")]
