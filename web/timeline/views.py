"""The record timeline's htmx requests (web/record_timeline.py builds what the
record pages show): the next page, the inline forms, "Complete" on a task."""

import json

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from activities.models import Activity, InvalidTransition
from activities.services import activity_complete
from events.models import Source
from lib.ids import parse_page_number
from timeline.entries import ACTIVITY, Entry
from web.record_timeline import (
    DEFAULT_LOG_KIND,
    LAST_PAGE,
    TARGETS,
    Timeline,
    attach_people_and_stages,
    log_form,
    log_kind_of,
    target_for,
    timeline_context,
    timeline_entries,
)
from web.tenancy import AccountViewMixin


class TimelineRecordMixin(AccountViewMixin):
    """The record named by `<pk>` in the URL, among the account's rows of `model`.

    One route per record type (web/timeline/urls.py) gets its own subclass from
    `for_record_type()`, so `model` is always the record's model and the URL's
    `record_type` names it for `{% url %}`.
    """

    record_type = None

    @classmethod
    def for_record_type(cls, record_type: str):
        target = TARGETS[record_type]
        view = type(
            f"{target.model.__name__}{cls.__name__}",
            (cls,),
            {"model": target.model, "record_type": record_type},
        )
        return view.as_view()

    def get_record(self):
        return self.get_object()


def back_to(request) -> str:
    """The page the request came from, when it is one of ours; else the dashboard."""
    target = request.headers.get("Referer", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


class TimelinePageView(TimelineRecordMixin, View):
    """GET `?page=N` (htmx, from "Load more"): the entries of page N, then the next
    "Load more" if there are more."""

    def get(self, request, record_type, pk):
        record = self.get_record()
        page = parse_page_number(request.GET.get("page"), last=LAST_PAGE)
        entries, next_page = timeline_entries(request, record, page=page)
        timeline = Timeline(
            record_type=record_type,
            record=record,
            entries=entries,
            next_page=next_page,
            log_kind=DEFAULT_LOG_KIND,
            form=None,
            page=page,
        )
        response = render(request, "web/_timeline.html#entries", {"timeline": timeline})
        patch_vary_headers(response, ["HX-Request"])
        return response


class TimelineLogView(TimelineRecordMixin, View):
    """GET `?kind=`: the inline form of that kind (the tabs, over htmx).
    POST: create the note, call or task on the record and answer the refreshed
    timeline; with errors, the same timeline with the form and its errors."""

    def get(self, request, record_type, pk):
        record = self.get_record()
        kind = log_kind_of(request.GET.get("kind"))
        timeline = Timeline(
            record_type=record_type,
            record=record,
            entries=[],
            next_page=None,
            log_kind=kind,
            form=log_form(request, kind),
        )
        return render(request, "web/_log_forms.html", {"timeline": timeline})

    def post(self, request, record_type, pk):
        record = self.get_record()
        kind = log_kind_of(request.POST.get("kind"))
        form = log_form(request, kind, request.POST, request.FILES)
        saved = form.is_valid()
        if saved:
            form.create({target_for(record).field: record.pk})
            form = None
        if not request.htmx:  # without JavaScript: back to the record's page
            if not saved:
                messages.error(
                    request,
                    "; ".join(
                        f"{form[name].label}: {' '.join(errors)}"
                        if name in form.fields
                        else " ".join(errors)
                        for name, errors in form.errors.items()
                    ),
                )
            return HttpResponseRedirect(back_to(request))
        timeline = timeline_context(request, record, form=form, log_kind=kind)
        response = render(request, "web/_timeline.html", {"timeline": timeline})
        if saved:
            message = {
                "note": "Note added",
                "call": "Call logged",
                "email": "Email logged",
                "task": "Task added",
            }[kind]
            response["HX-Trigger"] = json.dumps({"toast": message})
        return response


class ActivityCompleteView(AccountViewMixin, View):
    """POST: complete a pending activity (its status machine decides) and answer its
    refreshed timeline entry."""

    model = Activity
    http_method_names = ["post"]

    def post(self, request, pk):
        activity = self.get_object()
        try:
            activity_complete(activity=activity, by=request.user, source=Source.UI)
            message = "Task completed"
        except InvalidTransition:
            message = f"This activity is already {activity.get_status_display().lower()}."
        if not request.htmx:
            return HttpResponseRedirect(back_to(request))
        entry = Entry(type=ACTIVITY, id=activity.pk, at=activity.timeline_at, record=activity)
        attach_people_and_stages(request.account, [entry])
        response = render(request, "web/_timeline.html#entry", {"entry": entry})
        response["HX-Trigger"] = json.dumps({"toast": message})
        return response
