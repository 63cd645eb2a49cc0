from rest_framework.routers import SimpleRouter

from customfields.api.views import CustomFieldDefinitionViewSet

router = SimpleRouter()
router.register("custom-fields", CustomFieldDefinitionViewSet, basename="custom-field")
urlpatterns = router.urls
