"""URLs of the UI's contacts pages (included by web/urls.py under the "web" namespace)."""

urlpatterns = []
