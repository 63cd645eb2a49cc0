"""URLs of global search (included by web/urls.py under "search/", "web" namespace)."""

from django.urls import path

from web.search.views import SearchView

urlpatterns = [path("", SearchView.as_view(), name="search")]
