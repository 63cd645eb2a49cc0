from rest_framework.routers import SimpleRouter

from deals.api.views import DealViewSet, PipelineViewSet

router = SimpleRouter()
router.register("pipelines", PipelineViewSet, basename="pipeline")
router.register("deals", DealViewSet, basename="deal")
urlpatterns = router.urls
