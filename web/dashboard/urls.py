"""URLs of the dashboard (included by web/urls.py at the site's root, "web" namespace)."""

from django.urls import path

from web.dashboard.views import DashboardView

urlpatterns = [path("", DashboardView.as_view(), name="dashboard")]
