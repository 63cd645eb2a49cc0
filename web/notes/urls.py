"""URLs of the notes list and a note's delete (included by web/urls.py under "notes/",
"web" namespace)."""

from django.urls import path

from web.notes.views import NoteDeleteView, NotesView

urlpatterns = [
    path("", NotesView.as_view(), name="notes"),
    path("<int:pk>/delete/", NoteDeleteView.as_view(), name="note-delete"),
]
