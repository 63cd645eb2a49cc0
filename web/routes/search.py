"""URLs of the UI's search pages (included by web/urls.py under the "web" namespace)."""

urlpatterns = []
