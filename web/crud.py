"""One CRUD base for the record pages, shaped like neapolitan's CRUDView: a list, a
record's page, its create and edit form and its delete, each a small class an area
subclasses with its model, template and hooks (web/contacts/views.py,
web/companies/views.py, web/deals/views.py, web/notes/views.py).

Rows come only from `AccountViewMixin.get_queryset()`/`get_object()` (web/tenancy.py),
narrowed by `scope_queryset()`. Writes go through the area's services, never
`form.save()`: a form view implements `save(form)` and a delete view `delete(record)`.
"""

import json
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import DetailView
from django.views.generic.detail import SingleObjectTemplateResponseMixin
from django.views.generic.edit import ModelFormMixin, ProcessFormView
from django_htmx.http import HttpResponseClientRedirect

from events.link_targets import LinkTargetGone
from events.models import Source
from lib.paginator import DeferredJoinPaginator
from trash.models import RETENTION
from web.edit_conflicts import EditConflict, conflict_context, saving_at_version
from web.tenancy import AccountViewMixin
from web.undo import offer_undo


class RecordListView(AccountViewMixin, View):
    """GET: the account's rows filtered by `filterset_class` (the API's own FilterSet,
    or a subclass adding web-only fields), a page at a time through the deferred-join
    paginator. Over htmx only the template's `results_partial`; the answer varies on
    `HX-Request`. Queries: the count and the page, plus what `get_context_data` adds."""

    filterset_class = None
    template_name = ""
    results_partial = "results"
    page_size = 25
    vary_on = ("HX-Request",)

    def get_filterset(self):
        return self.filterset_class(
            list_params(self.request.GET), queryset=self.get_queryset(), request=self.request
        )

    def filter_errors(self, filterset) -> list[str]:
        """The bad parameters, as "Owner: Enter a user id or “me”." (their filters are
        left out, as the API's are not: a page shows what it can)."""
        if filterset.is_valid():
            return []
        return [
            f"{name.replace('_', ' ').capitalize()}: {' '.join(errors)}"
            for name, errors in filterset.errors.items()
        ]

    def order(self, queryset):
        """Hook: the list's order (the FilterSet may have set it already)."""
        return queryset

    def narrow(self, queryset):
        """Hook: filters beyond the FilterSet's (web/custom_field_lists.py); returns
        the queryset and the messages of the filters it left out."""
        return queryset, []

    def is_partial(self) -> bool:
        return bool(self.request.htmx)

    def get_paginator(self, queryset):
        """Hook: the paginator of `queryset` (web/custom_field_lists.py caps its count)."""
        return DeferredJoinPaginator(queryset, self.page_size)

    def get_context_data(self, **context) -> dict:
        """Hook: what the page shows besides `filterset`, `page` and `errors`."""
        return context

    def get(self, request, *args, **kwargs):
        self.filterset = self.get_filterset()
        queryset, narrow_errors = self.narrow(self.order(self.filterset.qs))
        errors = self.filter_errors(self.filterset) + narrow_errors
        paginator = self.get_paginator(queryset)
        self.page = page = paginator.get_page(request.GET.get("page"))
        context = self.get_context_data(filterset=self.filterset, page=page, errors=errors)
        partial = self.is_partial()
        template = f"{self.template_name}#{self.results_partial}" if partial else self.template_name
        response = self.respond(render(request, template, context), partial=partial)
        patch_vary_headers(response, self.vary_on)
        return response

    def respond(self, response, *, partial: bool):
        """Hook: adjust the answer (e.g. push the tidy URL over htmx)."""
        return response


def list_params(params):
    """A list page's query string as its FilterSet reads it: an empty parameter is no
    filter (a page's filter form sends all its fields, the API's clients only the ones
    they use), and `q` is read as `search`, the name the API and every list use now
    (the contacts and notes lists used `q` before: old links and bookmarks still work)."""
    params = params.copy()
    for name in list(params):
        if not any(value.strip() for value in params.getlist(name)):
            del params[name]
    if "q" in params and "search" not in params:
        params.setlist("search", params.getlist("q"))
    return params


class RecordDetailView(AccountViewMixin, DetailView):
    """GET: one record of the account (404 for another account's, whatever the method)."""


class RecordFormView(
    AccountViewMixin, SingleObjectTemplateResponseMixin, ModelFormMixin, ProcessFormView
):
    """GET: the empty form (no `pk` in the URL) or the record's. POST: validate, then
    `save(form)` through the area's services, under the edit-conflict check of an edit
    form (a record changed since the form was opened is a 409 with both versions);
    a success message, then the record's page.

    The form gets the request's `account` (web/account_forms.py). Exceptions listed in
    `save_refusals` (a rule the write path enforces) become an error on
    `refusal_field`."""

    create_service = None  # e.g. company_create(*, account, by, source, data)
    update_service = None  # e.g. company_update(*, company, by, source, data)
    record_url_name = ""  # the record's page, where a save leads
    save_refusals: tuple = ()
    refusal_field = None

    @property
    def creating(self) -> bool:
        return self.pk_url_kwarg not in self.kwargs

    def get(self, request, *args, **kwargs):
        self.object = None if self.creating else self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = None if self.creating else self.get_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["account"] = self.request.account
        return kwargs

    def get_context_data(self, **kwargs):
        kwargs.setdefault("creating", self.creating)
        return super().get_context_data(**kwargs)

    def form_valid(self, form):
        try:
            with saving_at_version(form):
                self.object = self.save(form)
        except EditConflict:
            conflict = conflict_context(form, request=self.request)
            return self.render_to_response(
                self.get_context_data(form=form, conflict=conflict), status=409
            )
        except self.save_refusals as exc:
            form.add_error(self.refusal_field, str(exc))
            return self.form_invalid(form)
        except LinkTargetGone as exc:  # a company (say) picked in the form was deleted
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:  # a rule of the write path (custom field values)
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message(self.object))
        return HttpResponseRedirect(self.get_success_url())

    def save(self, form):
        """Create or update the record through the area's services; returns it."""
        changes = {"by": self.request.user, "source": Source.UI, "data": self.record_data(form)}
        if self.object is None:
            return self.create_service(account=self.request.account, **changes)
        record_name = self.model._meta.model_name
        return self.update_service(**{record_name: self.object}, **changes)

    def record_data(self, form) -> dict:
        """Hook: what the services write (for an edit, only what the user changed)."""
        return form.record_data()

    def get_success_url(self):
        return reverse(self.record_url_name, args=[self.object.pk])

    def success_message(self, record) -> str:
        raise NotImplementedError


class RecordDeleteView(AccountViewMixin, View):
    """GET: ask first (for browsers without JavaScript, and the confirm page a record's
    Delete button leads to). POST: `delete(record)` through the area's services (the
    record goes to the trash), then the success message with its Undo button
    (web/undo.py) on the next page: `next` when the form says where it was (a page of
    this site), else `success_url`. Over htmx the redirect is an `HX-Redirect`, so the
    next page, a full load, shows the message.

    The confirm page is `template_name`, by default web/confirm_delete.html, which
    reads `confirm_context(record)`."""

    template_name = "web/confirm_delete.html"
    context_object_name = "object"
    success_url = "/"
    delete_service = None  # e.g. deal_delete(*, deal, by, source)

    def get(self, request, *args, **kwargs):
        record = self.get_object()
        context = {
            self.context_object_name: record,
            "next": self.next_url(),
            "retention_days": RETENTION.days,
        }
        context.update(self.confirm_context(record))
        return render(request, self.template_name, context)

    def post(self, request, *args, **kwargs):
        record = self.get_object()
        self.delete(record)
        offer_undo(
            request,
            self.success_message(record),
            record_type=self.model._meta.model_name,
            ids=[record.pk],
        )
        return self.deleted(record)

    def deleted(self, record):
        """The answer once `record` is in the trash."""
        target = self.next_url() or str(self.success_url)
        if self.request.htmx:
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)

    def next_url(self) -> str:
        """`next` (POST, else the query string) when it is a path of this site, else ""."""
        target = self.request.POST.get("next") or self.request.GET.get("next") or ""
        return target if is_local_path(self.request, target) else ""

    def confirm_context(self, record) -> dict:
        """Hook: what the confirm page says: `title` ("Delete Acme?"), `consequence`
        (what happens to what is linked), `button` ("Delete company") and `cancel_url`."""
        return {}

    def delete(self, record) -> None:
        """Trash `record` through the area's `delete_service`."""
        record_name = self.model._meta.model_name
        self.delete_service(**{record_name: record}, by=self.request.user, source=Source.UI)

    def success_message(self, record) -> str:
        raise NotImplementedError


class RowDeleteView(RecordDeleteView):
    """A delete for records shown as rows of other pages (a note on a timeline, an
    activity on the agenda), which have no page of their own. Over htmx the answer
    replaces the row with nothing (the button targets its row, `outerHTML`) and
    carries the "Deleted …" message with its Undo out of band, at the top of the page
    (templates/web/_row_deleted.html); its Undo returns to the page the row was on.
    Without JavaScript: the confirm page, then back to `next`."""

    def deleted(self, record):
        if not self.request.htmx:
            return super().deleted(record)
        current = urlsplit(self.request.htmx.current_url or "")
        page = current.path + (f"?{current.query}" if current.query else "")
        response = render(
            self.request,
            "web/_row_deleted.html",
            {"undo_next": page if is_local_path(self.request, page) else str(self.success_url)},
        )
        patch_vary_headers(response, ("HX-Request",))
        if events := self.htmx_events(record):
            response["HX-Trigger"] = json.dumps(events)
        return response

    def htmx_events(self, record) -> dict:
        """Hook: the events the page's listeners refresh on (`HX-Trigger`)."""
        return {}


def add_service_errors(form, exc: ValidationError) -> None:
    """A service's ValidationError as form errors: on the form's field of that name
    when it has one, else on the form as a whole (custom field messages name their
    key)."""
    errors = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
    for name, messages_ in errors.items():
        field = name if name in form.fields else None
        for message in messages_:
            form.add_error(field, message)


def is_local_path(request, target: str) -> bool:
    """Whether `target` is a path of this site (for `next`: never another host)."""
    return target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
