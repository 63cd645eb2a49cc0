from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.api.views import AccountView, MemberListView, MeView, TagViewSet, TokenView

auth_urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
]

router = SimpleRouter()
router.register("tags", TagViewSet, basename="tag")

crm_urlpatterns = [
    path("members/", MemberListView.as_view(), name="api-members"),
    path("account/", AccountView.as_view(), name="api-account"),
    *router.urls,
]
