"""URLs of the UI's companies pages (included by web/urls.py under the "web" namespace)."""

urlpatterns = []
