"""URLs of the UI's imports pages (included by web/urls.py under the "web" namespace)."""

urlpatterns = []
