"""The contacts pages: the list (search as you type, filters, sort, pages, bulk
actions), one contact's page, create, edit, delete, and its tags edited in place.
The CSV export is in export.py."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_htmx.http import push_url

from accounts.models import Tag, User, tag_key
from accounts.tags import validate_tag_name
from companies.models import Company
from contacts.models import Contact
from contacts.services import (
    contact_create,
    contact_delete,
    contact_tag_add,
    contact_tag_remove,
    contact_update,
    contacts_add_tag,
    contacts_assign_owner,
    contacts_delete,
)
from customfields.values import definitions_for
from deals.models import Deal
from events.models import Source
from lib.ids import parse_id
from web.bulk_delete import delete_selected
from web.contacts.filters import ContactFilters, ContactListFilter
from web.contacts.forms import BulkActionForm, ContactForm
from web.crud import RecordDeleteView, RecordDetailView, RecordFormView, RecordListView
from web.custom_field_display import custom_field_rows
from web.custom_field_lists import CustomFieldListMixin
from web.formatting import format_money
from web.likely_duplicates import likely_duplicates
from web.owner_status import with_owner_status
from web.record_timeline import timeline_context
from web.tenancy import AccountViewMixin

DEALS_SHOWN = 10
PAGE_SIZE = 25
SORTABLE_COLUMNS = ("name", "created", "updated")


COMPANY_MENU_LIMIT = 300


def company_menu(account):
    """The account's companies for the filter menu, or None when there are too many."""
    companies = list(
        Company.objects.for_account(account)
        .only("id", "name")
        .order_by("name", "id")[: COMPANY_MENU_LIMIT + 1]
    )
    return None if len(companies) > COMPANY_MENU_LIMIT else companies


class ContactListView(CustomFieldListMixin, RecordListView):
    """GET: the list page; over htmx (search, filters, sort, pages) only its results.

    Queries: the count, the page, the page's tags; the full page adds the filters'
    choices (tags, companies, members).
    """

    model = Contact
    filterset_class = ContactListFilter
    template_name = "web/contacts/list.html"
    page_size = PAGE_SIZE
    custom_field_record_type = "contact"

    def scope_queryset(self, queryset):
        return queryset.select_related("company", "owner").with_tag_list()

    def is_partial(self) -> bool:
        return bool(self.request.htmx and not self.request.htmx.history_restore_request)

    def get_context_data(self, *, filterset, page, errors):
        request = self.request
        filters = ContactFilters.of(filterset)
        contacts = list(page.object_list)
        return {
            **self.custom_field_context(contacts),
            "errors": errors,
            "filters": filters,
            "page": page,
            "contacts": contacts,
            "total_display": page.paginator.count_shown,
            "sort_links": {column: filters.sort_link(column) for column in SORTABLE_COLUMNS},
            "page_links": {
                "previous": filters.querystring(page=page.previous_page_number())
                if page.has_previous()
                else "",
                "next": filters.querystring(page=page.next_page_number())
                if page.has_next()
                else "",
            },
            "current_url": request.get_full_path(),
            # Lazy: only the full page evaluates these.
            "tag_options": Tag.objects.for_account(request.account).only("id", "name"),
            # A menu while it stays short; past that, a "company name starts with" box
            # (rendering 10,000 options made the page slow). One query either way.
            "company_options": company_menu(request.account),
            # Every member for the owner filter (a deactivated one still owns
            # contacts), the `assignable` ones for the bulk "Assign": one query.
            "member_options": User.objects.with_assignable(request.account),
        }

    def respond(self, response, *, partial):
        if partial:
            # The address bar shows the tidy URL (no empty fields), so it can be shared.
            number = self.page.number
            push_url(
                response,
                reverse("web:contacts")
                + ContactFilters.of(self.filterset).querystring(page=number if number > 1 else ""),
            )
        return response


class ContactBulkView(AccountViewMixin, View):
    """POST `ids` (repeated) and `action`: add a tag to, assign an owner to, or delete
    the selected contacts. Ids of other accounts' contacts match nothing. A constant
    number of queries, whatever the number of contacts."""

    http_method_names = ["post"]

    def post(self, request):
        form = BulkActionForm(
            request.POST, account=request.account, ids=request.POST.getlist("ids")
        )
        if not form.is_valid():
            messages.error(
                request, " ".join(message for errors in form.errors.values() for message in errors)
            )
            return HttpResponseRedirect(self.back())
        data = form.cleaned_data
        account, ids, action = request.account, data["ids"], data["action"]
        done_by = {"account": account, "by": request.user, "source": Source.UI, "ids": ids}
        if action == "add_tag":
            count = contacts_add_tag(**done_by, name=data["tag"])
            messages.success(request, f"Tagged {_contacts(count)} “{data['tag']}”.")
        elif action == "assign_owner":
            count = contacts_assign_owner(**done_by, owner=data["owner"])
            who = (
                data["owner"].get_full_name() or data["owner"].get_username()
                if data["owner"]
                else "nobody"
            )
            messages.success(request, f"Assigned {_contacts(count)} to {who}.")
        else:
            delete_selected(
                request,
                queryset=Contact.objects.for_account(account),
                ids=ids,
                delete=contacts_delete,
            )
        return HttpResponseRedirect(self.back())

    def back(self) -> str:
        target = self.request.POST.get("next", "")
        if target.startswith("/contacts/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}
        ):
            return target
        return reverse("web:contacts")


def _contacts(count: int) -> str:
    return f"{count:,} contact" + ("" if count == 1 else "s")


class ContactMixin:
    model = Contact
    context_object_name = "contact"

    def scope_queryset(self, queryset):
        return with_owner_status(queryset.select_related("company", "owner"))


def tag_options(account):
    """The account's tags, for the tag inputs' suggestions (one query, when shown)."""
    return Tag.objects.for_account(account).only("id", "name")


class ContactDetailView(ContactMixin, RecordDetailView):
    """The contact's page: fields, tags, company, deals and timeline.

    Queries: the contact, its tags, its deals and their count, the tag suggestions,
    its likely duplicates (two), and the timeline's constant few
    (web/record_timeline.py).
    """

    template_name = "web/contacts/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contact, account = self.object, self.request.account
        deals = (
            Deal.objects.for_account(account)
            .filter(contact_id=contact.pk)
            .select_related("stage", "pipeline")
            .order_by("-created_at", "-id")
        )
        shown = list(deals[:DEALS_SHOWN])
        for deal in shown:
            deal.value_display = format_money(deal.value_cents, deal.currency)
        context.update(
            tags=list(contact.tags.all()),
            tag_options=tag_options(account),
            deals=shown,
            deal_count=deals.count(),
            timeline=timeline_context(self.request, contact),
            likely_duplicates=likely_duplicates("contacts", contact),
            custom_fields=custom_field_rows(
                definitions_for(account, "contact"), contact.custom_fields
            ),
        )
        return context


class ContactFormView(ContactMixin, RecordFormView):
    """GET: the empty (or the contact's) form. POST: save, or show errors by the fields.

    POST `_validate=<field>` over htmx answers that field re-rendered with its errors
    (validation on blur) and saves nothing.
    """

    form_class = ContactForm
    template_name = "web/contacts/form.html"
    create_service = staticmethod(contact_create)
    update_service = staticmethod(contact_update)
    record_url_name = "web:contact"

    def get_initial(self):
        return {"owner": self.request.user.pk} if self.creating else {}

    def post(self, request, *args, **kwargs):
        validate = request.POST.get("_validate", "")
        if request.htmx and validate:
            self.object = None if self.creating else self.get_object()
            form = self.get_form()
            if validate in form.fields:
                form.is_valid()
                return render(
                    request,
                    "web/_field.html",
                    {"field": form[validate], "validate_url": request.path},
                )
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("tag_options", tag_options(self.request.account))
        kwargs.setdefault("conflict", None)
        return super().get_context_data(**kwargs)

    def success_message(self, contact) -> str:
        return f"{'Created' if self.creating else 'Saved'} {contact.full_name}."


class ContactDeleteView(ContactMixin, RecordDeleteView):
    """GET: ask first (for browsers without JavaScript). POST: delete, back to the list.
    The contact's notes, activities and deals stay, unlinked."""

    template_name = "web/contacts/delete.html"
    delete_service = staticmethod(contact_delete)
    success_url = reverse_lazy("web:contacts")

    def success_message(self, contact) -> str:
        return f"Deleted {contact.full_name}."


class ContactTagsView(ContactMixin, AccountViewMixin, View):
    """POST `name`: add a tag (created if new). POST `remove=<tag id>`: take one off.
    Over htmx the answer is the contact's tags card; otherwise back to the contact."""

    http_method_names = ["post"]

    def post(self, request, pk):
        contact = self.get_object()
        error = ""
        if "remove" in request.POST:
            tag = get_object_or_404(
                Tag.objects.for_account(request.account),
                pk=parse_id(request.POST["remove"]) or 0,
            )
            contact = contact_tag_remove(
                contact=contact, by=request.user, source=Source.UI, tag=tag
            )
            toast = f"Removed “{tag.name}”"
        else:
            name = request.POST.get("name", "").strip()
            try:
                validate_tag_name(name)
            except ValidationError:
                error = "Type a tag of 1-50 characters."
            else:
                contact = contact_tag_add(
                    contact=contact, by=request.user, source=Source.UI, name=name
                )
                tag = next(t for t in contact.tag_list if t.name_key == tag_key(name))
                toast = f"Tagged “{tag.name}”"
        if not request.htmx:
            if error:
                messages.error(request, error)
            return HttpResponseRedirect(reverse("web:contact", args=[contact.pk]))
        response = render(
            request,
            "web/contacts/detail.html#tags",
            {
                "contact": contact,
                "tags": list(contact.tags.all()),
                "tag_error": error,
                "tag_options": tag_options(request.account),
            },
        )
        if not error:
            response["HX-Trigger"] = json.dumps({"toast": toast})  # ASCII: escapes quotes
        return response
