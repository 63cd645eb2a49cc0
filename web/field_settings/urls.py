"""URLs of the custom fields settings (included by web/urls.py under
"settings/fields/", "web" namespace)."""

from django.urls import path

from web.field_settings.views import (
    FieldCreateView,
    FieldDeleteView,
    FieldEditView,
    FieldSettingsView,
)

urlpatterns = [
    path("", FieldSettingsView.as_view(), name="field-settings"),
    path("new/", FieldCreateView.as_view(), name="field-setting-new"),
    path("<int:pk>/edit/", FieldEditView.as_view(), name="field-setting-edit"),
    path("<int:pk>/delete/", FieldDeleteView.as_view(), name="field-setting-delete"),
]
