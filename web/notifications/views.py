"""The signed-in user's notifications in the account they act for: the header's bell
(its unread count, polled), the list, marking read."""

import re

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.vary import vary_on_headers

from lib.paginator import DeferredJoinPaginator
from notifications.models import Notification
from notifications.services import notification_mark_read, notifications_mark_all_read
from web.moments import Day, describe_moment
from web.tenancy import AccountViewMixin

# The page of each record type.
RECORD_PAGES = {
    "contact": "web:contact",
    "company": "web:company",
    "deal": "web:deal",
    "activity": "web:activity",
}


def record_url(notification: Notification) -> str:
    name = RECORD_PAGES.get(notification.record_type)
    try:
        return reverse(name, args=[notification.record_id]) if name else reverse("web:agenda")
    except NoReverseMatch:
        return ""


def describe_times(notifications, *, account) -> None:
    """Set `created_text` and `due_text` on each notification: its moments in the
    account's time zone, as every page words them ("Wed 25 Nov, 14:00"). The
    template's date filters would show the active zone, UTC."""
    day = Day.of(account)
    for notification in notifications:
        notification.created_text = describe_moment(notification.created_at, day=day)[1]
        notification.due_text = (
            describe_moment(notification.due_at, day=day)[1] if notification.due_at else ""
        )


class MyNotificationsMixin(AccountViewMixin):
    model = Notification

    def scope_queryset(self, queryset):
        """Only the user's own, newest first."""
        return queryset.of_user(self.request.user)


@method_decorator(never_cache, name="dispatch")
class NotificationBellView(MyNotificationsMixin, View):
    """The bell's unread count, polled by the header. `?seen=N` is the count the page
    shows: when it has not changed the answer is `204` and htmx swaps nothing, so the
    polite live region speaks only when a notification arrives, not every poll."""

    def get(self, request):
        unread = self.get_queryset().unread().count()
        seen = request.GET.get("seen", "")
        if seen == str(unread):
            return HttpResponse(status=204)
        # Only ASCII digits: str.isdigit() also takes "²", which int() refuses.
        announce = re.fullmatch(r"[0-9]{1,9}", seen) is not None and unread > int(seen)
        return render(
            request,
            "web/notifications/bell.html",
            {"unread": unread, "announce": announce},
        )


@method_decorator(vary_on_headers("HX-Request"), name="dispatch")
class NotificationListView(MyNotificationsMixin, View):
    """The notifications, newest first, 25 a page; `?unread=1` for the unread ones."""

    page_size = 25

    def get(self, request):
        notifications = self.get_queryset().select_related("actor")
        only_unread = request.GET.get("unread") == "1"
        if only_unread:
            notifications = notifications.unread()
        page = DeferredJoinPaginator(notifications, self.page_size).get_page(
            request.GET.get("page")
        )
        for notification in page.object_list:
            notification.url = record_url(notification)
        describe_times(page.object_list, account=request.account)
        return render(
            request,
            "web/notifications/list.html",
            {
                "page": page,
                "only_unread": only_unread,
                "query": "unread=1" if only_unread else "",
                "has_unread": self.get_queryset().unread().exists(),
            },
        )


def _back(request) -> HttpResponseRedirect:
    """To the page the form was on (`next`), else the list."""
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("web:notifications")
    return HttpResponseRedirect(target)


class NotificationReadView(MyNotificationsMixin, View):
    """POST: mark one read (another user's or account's is a 404)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        notification_mark_read(notification=self.get_object())
        return _back(request)


class NotificationReadAllView(MyNotificationsMixin, View):
    """POST: mark every unread notification read."""

    http_method_names = ["post"]

    def post(self, request):
        marked = notifications_mark_all_read(account=request.account, user=request.user)
        messages.success(request, f"Marked {marked} notification{'s' if marked != 1 else ''} read.")
        return _back(request)
