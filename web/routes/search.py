"""URLs of the UI's global search (included by web/urls.py under the "web" namespace)."""

from django.urls import path

from web.views.search import SearchView

urlpatterns = [path("", SearchView.as_view(), name="search")]
