"""URLs of the UI's agenda pages (included by web/urls.py under the "web" namespace)."""

urlpatterns = []
