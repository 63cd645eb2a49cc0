from rest_framework.routers import SimpleRouter

from notes.api.views import NoteViewSet

router = SimpleRouter()
router.register("notes", NoteViewSet, basename="note")
urlpatterns = router.urls
