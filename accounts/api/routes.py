from rest_framework.routers import SimpleRouter

from accounts.api.views import TagViewSet

router = SimpleRouter()
router.register("tags", TagViewSet, basename="tag")
urlpatterns = router.urls
