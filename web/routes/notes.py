"""URLs of the UI's notes pages (included by web/urls.py under the "web" namespace)."""

urlpatterns = []
