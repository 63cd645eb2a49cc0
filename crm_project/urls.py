"""Root URLs. The CRM API is assembled here, above the domain apps."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.api.urls import auth_urlpatterns, crm_urlpatterns
from activities.api import urls as activity_urls
from companies.api import urls as company_urls
from contacts.api import urls as contact_urls
from customfields.api import urls as custom_field_urls
from deals.api import urls as deal_urls
from events.api import urls as event_urls
from notes.api import urls as note_urls
from notifications.api import urls as notification_urls
from timeline import urls as timeline_urls
from trash.api import urls as trash_urls
from web import urls as web_urls
from web.auth.views import sign_in_limited

api_v1 = [
    *auth_urlpatterns,
    *notification_urls.urlpatterns,
    *activity_urls.me_urlpatterns,
    path(
        "crm/",
        include(
            [
                *crm_urlpatterns,
                *custom_field_urls.urlpatterns,
                *company_urls.urlpatterns,
                *contact_urls.urlpatterns,
                *deal_urls.urlpatterns,
                *activity_urls.urlpatterns,
                *note_urls.urlpatterns,
                *timeline_urls.urlpatterns,
                *event_urls.urlpatterns,
                *trash_urls.urlpatterns,
            ]
        ),
    ),
]

urlpatterns = [
    # The admin's sign-in under the same limits as ours (it precedes the admin's own).
    path("admin/login/", sign_in_limited(admin.site.login)),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(web_urls.auth_urlpatterns)),
    path("", include(web_urls.member_public_urlpatterns)),
    path("", include(web_urls)),
]

handler400 = "lib.api.errors.handler400"
handler403 = "web.errors.permission_denied"
handler404 = "lib.api.errors.handler404"
handler500 = "lib.api.errors.handler500"
