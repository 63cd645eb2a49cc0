"""URLs of the CSV import (included by web/urls.py under "imports/", "web" namespace)."""

from django.urls import path

from web.imports.views import (
    ImportCancelView,
    ImportDetailView,
    ImportDismissFailedRowsView,
    ImportExampleView,
    ImportFailedRowsView,
    ImportMappingView,
    ImportReplaceFileView,
    ImportStartView,
    ImportUndoView,
    ImportUploadView,
)

urlpatterns = [
    path("contacts/", ImportUploadView.as_view(), name="contacts-import"),
    path("contacts/example.csv", ImportExampleView.as_view(), name="contacts-import-example"),
    path("contacts/<int:pk>/", ImportDetailView.as_view(), name="contacts-import-detail"),
    path("contacts/<int:pk>/columns/", ImportMappingView.as_view(), name="contacts-import-mapping"),
    path("contacts/<int:pk>/file/", ImportReplaceFileView.as_view(), name="contacts-import-file"),
    path("contacts/<int:pk>/import/", ImportStartView.as_view(), name="contacts-import-start"),
    path("contacts/<int:pk>/cancel/", ImportCancelView.as_view(), name="contacts-import-cancel"),
    path(
        "contacts/<int:pk>/errors.csv",
        ImportFailedRowsView.as_view(),
        name="contacts-import-errors",
    ),
    path(
        "contacts/<int:pk>/failed-rows/dismiss/",
        ImportDismissFailedRowsView.as_view(),
        name="contacts-import-dismiss-failed-rows",
    ),
    path("contacts/<int:pk>/undo/", ImportUndoView.as_view(), name="contacts-import-undo"),
]
