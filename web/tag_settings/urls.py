"""URLs of the tag settings (included by web/urls.py under "settings/tags/", "web"
namespace)."""

from django.urls import path

from web.tag_settings.views import TagDeleteView, TagDetailView, TagListView, TagMergeView

urlpatterns = [
    path("", TagListView.as_view(), name="tag-settings"),
    path("<int:pk>/", TagDetailView.as_view(), name="tag-settings-tag"),
    path("<int:pk>/merge/", TagMergeView.as_view(), name="tag-settings-merge"),
    path("<int:pk>/delete/", TagDeleteView.as_view(), name="tag-settings-delete"),
]
