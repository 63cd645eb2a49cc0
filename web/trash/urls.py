"""URLs of the trash page (included by web/urls.py under "trash/", "web" namespace)."""

from django.urls import path

from web.trash.views import EmptyTrashView, RestoreAllView, RestoreView, TrashListView, UndoView

urlpatterns = [
    path("", TrashListView.as_view(), name="trash"),
    path("restore/", RestoreView.as_view(), name="trash-restore"),
    path("restore-all/", RestoreAllView.as_view(), name="trash-restore-all"),
    path("empty/", EmptyTrashView.as_view(), name="trash-empty"),
    path("undo/", UndoView.as_view(), name="trash-undo"),
]
