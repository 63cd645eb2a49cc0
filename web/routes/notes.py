"""URLs of the UI's notes pages (included by web/urls.py under the "web" namespace)."""

from django.urls import path

from web.views.notes import NotesView

urlpatterns = [path("", NotesView.as_view(), name="notes")]
