from rest_framework.routers import SimpleRouter

from timeline.api import CompanyTimelineViewSet, ContactTimelineViewSet, DealTimelineViewSet

router = SimpleRouter()
router.register("contacts", ContactTimelineViewSet, basename="contact")
router.register("companies", CompanyTimelineViewSet, basename="company")
router.register("deals", DealTimelineViewSet, basename="deal")
urlpatterns = router.urls
