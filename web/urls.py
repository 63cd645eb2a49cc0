"""The staff UI. Each area's URLs live in web/routes/<area>.py."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from web.views.account import SwitchAccountView
from web.views.auth import ThrottledLoginView
from web.views.profile import ApiTokenView, ProfileView

app_name = "web"

urlpatterns = [
    path("", include("web.routes.dashboard")),
    path("contacts/", include("web.routes.contacts")),
    path("imports/", include("web.routes.imports")),
    path("companies/", include("web.routes.companies")),
    path("pipeline/", include("web.routes.pipeline")),
    path("deals/", include("web.routes.deals")),
    path("agenda/", include("web.routes.agenda")),
    path("notes/", include("web.routes.notes")),
    path("search/", include("web.routes.search")),
    path("timeline/", include("web.routes.timeline")),
    path("account/switch/", SwitchAccountView.as_view(), name="switch-account"),
    path("profile/", ProfileView.as_view(), name="profile"),
    path("profile/token/", ApiTokenView.as_view(), name="profile-token"),
]

auth_urlpatterns = [
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
]
