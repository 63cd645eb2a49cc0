"""An activity's own page (every field edited in place, one at a time, with the
edit-conflict check of web/edit_conflicts.py: web/field_edits.py), "New activity" (any
of the seven types, linked to the record it was opened from) and "Log a call /
meeting" with its optional follow-up.

Writes go through activities.services: `activity_create`, `activity_update` (a whole
form posted, or one field in place), `activity_log` (the logged activity and its
follow-up in one transaction).
"""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from activities.models import Activity
from activities.new_activity_defaults import new_activity_defaults
from activities.services import activity_create, activity_log, activity_update
from companies.models import Company
from contacts.models import Contact
from deals.models import Deal
from events.models import Source
from lib.ids import parse_id
from web.activities.forms import LINKS, ActivityForm, LogActivityForm
from web.activity_rows import ROW_RELATED, decorate_activities
from web.crud import RecordFormView
from web.field_edits import FieldEditView, shown_fields
from web.formatting import format_duration
from web.moments import Day
from web.tenancy import AccountViewMixin

LINK_MODELS = {"contact": Contact, "company": Company, "deal": Deal}


def safe_next(request, fallback: str) -> str:
    """`next` from the form or the query string, when it is one of our pages."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class ActivityPageView(RecordFormView):
    """`/activities/<pk>/`: the activity, its actions and every field in one form;
    `/activities/new/?type=&contact=&company=&deal=`: a new one linked to that record.
    Queries (an existing one): the activity with its links and owner, the form's
    choices, the members."""

    model = Activity
    form_class = ActivityForm
    template_name = "web/activities/page.html"
    context_object_name = "activity"
    create_service = staticmethod(activity_create)
    update_service = staticmethod(activity_update)
    record_url_name = "web:activity"

    def scope_queryset(self, queryset):
        return queryset.select_related(*ROW_RELATED)

    def get_initial(self):
        initial = super().get_initial()
        if self.creating:
            params = self.request.GET
            if params.get("type") in Activity.Type.values:
                initial["type"] = params["type"]
            for name in LINKS:
                record_id = parse_id(params.get(name, ""))
                if record_id is not None:
                    initial[name] = record_id
            initial["owner"] = self.request.user.pk
            # The creator's default reminder (one query), shown so it can be changed.
            initial.update(new_activity_defaults(user=self.request.user))
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.object is not None:
            decorate_activities([self.object], day=Day.of(self.request.account))
            if not context["form"].is_bound:
                # Each field in place; a whole form posted (an old page, a script)
                # that needs correcting is shown as the form it was.
                context["inplace_fields"] = shown_fields(
                    ActivityFieldEditView,
                    self.object,
                    account=self.request.account,
                    form=context["form"],
                )
        context["next"] = safe_next(self.request, "")
        return context

    def get_success_url(self):
        return reverse(self.record_url_name, args=[self.object.pk])

    def success_message(self, activity) -> str:
        if self.creating:
            return f"{activity.get_type_display()} “{activity.subject}” added."
        return "Activity saved."


def reminder_text(minutes: int | None) -> str:
    """ "30 minutes before", "1 hour 30 minutes before", "At the due time"; "" for none."""
    if minutes is None:
        return ""
    if minutes == 0:
        return "At the due time"
    return f"{format_duration(dt.timedelta(minutes=minutes))} before"


class ActivityFieldEditView(FieldEditView):
    """`/activities/<pk>/fields/<name>/`: one field of the activity edited in place
    (web/field_edits.py); a saved one also refreshes the page's heading (subject,
    status, due). Queries: the activity with its links, the save, the activity again."""

    model = Activity
    form_class = ActivityForm
    update_service = staticmethod(activity_update)
    field_names = (
        "subject",
        "type",
        "due_at",
        "remind_before_minutes",
        "owner",
        "contact",
        "company",
        "deal",
        "description",
    )
    multiline_fields = ("description",)
    url_name = "web:activity-field"
    record_url_name = "web:activity"

    def scope_queryset(self, queryset):
        return queryset.select_related(*ROW_RELATED)

    @classmethod
    def shown(cls, record, form, name, *, day):
        if name == "remind_before_minutes":
            return reminder_text(record.remind_before_minutes)
        return super().shown(record, form, name, day=day)

    def saved_extra(self, record) -> dict:
        decorate_activities([record], day=Day.of(self.request.account))
        return {"extra_template": "web/activities/page.html#summary", "activity": record}


class ActivityLogView(AccountViewMixin, View):
    """`/activities/log/?type=call|meeting&contact=&company=&deal=`: log what happened,
    and with "and schedule a follow-up" ticked the next activity, in one submit (one
    transaction: both or neither). The links come from the query string (the page the
    user came from) and must be the account's records (else 404)."""

    template_name = "web/activities/log.html"

    def links(self) -> dict:
        """The records the logged activity is about: one query per link given."""
        params = self.request.POST if self.request.method == "POST" else self.request.GET
        found = {}
        for name, model in LINK_MODELS.items():
            raw = params.get(name, "")
            if not raw:
                continue
            record_id = parse_id(raw)
            record = (
                model.objects.for_account(self.request.account).filter(pk=record_id).first()
                if record_id is not None
                else None
            )
            if record is None:
                raise Http404("No such record.")
            found[name] = record
        return found

    def form(self, data=None) -> LogActivityForm:
        request = self.request
        initial = {"owner": request.user.pk}
        if request.GET.get("type") in (Activity.Type.CALL, Activity.Type.MEETING):
            initial["type"] = request.GET["type"]
        return LogActivityForm(
            data, account=request.account, user=request.user, links=self.links(), initial=initial
        )

    def render(self, form, status=200):
        return render(
            self.request,
            self.template_name,
            {"form": form, "links": form.links, "next": safe_next(self.request, "")},
            status=status,
        )

    def get(self, request):
        return self.render(self.form())

    def post(self, request):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render(form, status=400)
        follow_up = form.follow_up_data()
        if follow_up is not None:  # a new activity: the creator's default reminder
            follow_up = {**new_activity_defaults(user=request.user), **follow_up}
        logged, follow_up = activity_log(
            account=request.account,
            by=request.user,
            source=Source.UI,
            data=form.logged_data(),
            follow_up=follow_up,
        )
        message = f"{logged.get_type_display()} logged."
        if follow_up is not None:
            message += f" Follow-up “{follow_up.subject}” scheduled."
        messages.success(request, message)
        return HttpResponseRedirect(safe_next(request, reverse("web:activity", args=[logged.pk])))
