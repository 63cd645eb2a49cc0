"""URLs of the UI's pipeline pages (included by web/urls.py under the "web" namespace)."""

urlpatterns = []
