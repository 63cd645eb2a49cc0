"""URLs of the notes list (included by web/urls.py under "notes/", "web" namespace)."""

from django.urls import path

from web.notes.views import NotesView

urlpatterns = [path("", NotesView.as_view(), name="notes")]
