"""`POST /agenda/activities/<id>/{start,complete,cancel}/`: any page's activity rows.

activities.services (`activity_start/complete/cancel`), the one write path, applies the
activity's status machine to the locked row and records it; this view only translates
HTTP. From htmx it answers with the row in its new state (empty once
the activity is done, so the row leaves the list), a toast, and an `activity-changed`
event that counters listen to; an illegal move is a 409 with the model's message.
Without JavaScript it redirects back to `next` with a message.
"""

import json

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from activities.models import Activity, InvalidTransition
from activities.services import activity_cancel, activity_complete, activity_start
from events.models import Source
from web.tenancy import AccountViewMixin
from web.views.agenda import ROW_RELATED, Day, decorate_activities

ACTIONS = {
    "start": (activity_start, "Started"),
    "complete": (activity_complete, "Completed"),
    "cancel": (activity_cancel, "Cancelled"),
}


class ActivityActionView(AccountViewMixin, View):
    model = Activity
    http_method_names = ["post"]
    action = None  # "start", "complete" or "cancel" (set in the URL configuration)

    def scope_queryset(self, queryset):
        return queryset.select_related(*ROW_RELATED)

    def post(self, request, pk):
        activity = get_object_or_404(self.get_queryset(), pk=pk)
        service, done_word = ACTIONS[self.action]
        try:
            service(activity=activity, by=request.user, source=Source.UI)
        except InvalidTransition as exc:
            return self.refuse(activity, str(exc))
        message = f"{done_word} “{activity.subject}”."
        if not request.htmx:
            messages.success(request, message)
            return HttpResponseRedirect(self.next_url())
        body = ""
        if activity.status in Activity.ACTIVE:
            decorate_activities([activity], day=Day.of(request.account))
            body = render_to_string(
                "web/_activity_row.html",
                {
                    "activity": activity,
                    "show_owner": request.POST.get("show_owner") == "1",
                    "next": self.next_url(),
                },
                request=request,
            )
        response = HttpResponse(body)
        response["HX-Trigger"] = json.dumps(
            {"toast": message, "activity-changed": {"id": activity.pk}}
        )
        return response

    def refuse(self, activity, reason: str):
        message = f"{reason} Reload the page to see its current state."
        if not self.request.htmx:
            messages.error(self.request, message)
            return HttpResponseRedirect(self.next_url())
        response = HttpResponse(message, status=409, content_type="text/plain")
        response["HX-Trigger"] = json.dumps({"toast": message})
        return response

    def next_url(self) -> str:
        target = self.request.POST.get("next") or ""
        if not url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            target = "/agenda/"
        return target
