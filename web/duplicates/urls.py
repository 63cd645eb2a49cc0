"""URLs of the duplicates pages (included by web/urls.py under "duplicates/", "web"
namespace): the same views for contacts and for companies."""

from django.urls import path

from web.duplicates.views import (
    DuplicateCheckView,
    DuplicateCompareView,
    DuplicateListView,
    DuplicateScanView,
)

urlpatterns = [
    path("", DuplicateListView.as_view(), {"kind": "contacts"}, name="duplicates-home"),
    path(
        "contacts/<contact_id>/<other_contact_id>/",
        DuplicateCompareView.as_view(),
        {"kind": "contacts"},
        name="contacts-compare",
    ),
    path(
        "companies/<company_id>/<other_company_id>/",
        DuplicateCompareView.as_view(),
        {"kind": "companies"},
        name="companies-compare",
    ),
]
for kind in ("contacts", "companies"):
    urlpatterns += [
        path(f"{kind}/", DuplicateListView.as_view(), {"kind": kind}, name=f"{kind}-duplicates"),
        path(f"{kind}/scan/", DuplicateScanView.as_view(), {"kind": kind}, name=f"{kind}-scan"),
        path(f"{kind}/check/", DuplicateCheckView.as_view(), {"kind": kind}, name=f"{kind}-check"),
    ]
