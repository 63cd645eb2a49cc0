from rest_framework.routers import SimpleRouter

from trash.api.views import TrashViewSet

router = SimpleRouter()
router.register("trash", TrashViewSet, basename="trash")
urlpatterns = router.urls
