from rest_framework.routers import SimpleRouter

from activities.api.views import ActivityViewSet

router = SimpleRouter()
router.register("activities", ActivityViewSet, basename="activity")
urlpatterns = router.urls
