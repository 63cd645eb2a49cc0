"""URLs of the UI's deals pages (included by web/urls.py under the "web" namespace)."""

urlpatterns = []
