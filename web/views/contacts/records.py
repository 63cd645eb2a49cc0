"""One contact: its page, create, edit, delete, and its tags edited in place."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView

from accounts.models import Tag, tag_key
from accounts.tags import validate_tag_name
from contacts.models import Contact
from contacts.services import (
    contact_create,
    contact_delete,
    contact_tag_add,
    contact_tag_remove,
    contact_update,
)
from deals.models import Deal
from events.models import Source
from lib.ids import parse_id
from web.edit_conflicts import EditConflict, conflict_context, saving_at_version
from web.formatting import format_money
from web.forms.contacts import ContactForm
from web.tenancy import AccountViewMixin
from web.views.timeline import timeline_context

DEALS_SHOWN = 10


class ContactMixin(AccountViewMixin):
    model = Contact

    def scope_queryset(self, queryset):
        return queryset.select_related("company", "owner")

    def get_contact(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


def tag_options(account):
    """The account's tags, for the tag inputs' suggestions (one query, when shown)."""
    return Tag.objects.for_account(account).only("id", "name")


class ContactDetailView(ContactMixin, DetailView):
    """The contact's page: fields, tags, company, deals and timeline.

    Queries: the contact, its tags, its deals and their count, the tag suggestions,
    and the timeline's constant few (web/views/timeline.py).
    """

    template_name = "web/contacts/detail.html"
    context_object_name = "contact"

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
        )
        return context


class ContactFormView(ContactMixin, View):
    """GET: the empty (or the contact's) form. POST: save, or show errors by the fields.

    POST `_validate=<field>` over htmx answers that field re-rendered with its errors
    (validation on blur) and saves nothing.
    """

    template_name = "web/contacts/form.html"
    creating = True

    def get_instance(self):
        return None if self.creating else self.get_contact()

    def get(self, request, pk=None):
        contact = self.get_instance()
        initial = {"owner": request.user.pk} if contact is None else None
        form = ContactForm(instance=contact, initial=initial, account=request.account)
        return self.render_form(form, contact)

    def post(self, request, pk=None):
        contact = self.get_instance()
        form = ContactForm(request.POST, instance=contact, account=request.account)
        validate = request.POST.get("_validate", "")
        if request.htmx and validate in form.fields:
            form.is_valid()
            return render(
                request, "web/_field.html", {"field": form[validate], "validate_url": request.path}
            )
        if not form.is_valid():
            return self.render_form(form, contact)
        try:
            with saving_at_version(form):
                if self.creating:
                    contact = contact_create(
                        account=request.account,
                        by=request.user,
                        source=Source.UI,
                        data=form.record_data(),
                    )
                else:
                    contact = contact_update(
                        contact=contact, by=request.user, source=Source.UI, data=form.record_data()
                    )
        except EditConflict:
            return self.render_form(
                form, contact, status=409, conflict=conflict_context(form, request=request)
            )
        messages.success(request, f"{'Created' if self.creating else 'Saved'} {contact.full_name}.")
        return HttpResponseRedirect(reverse("web:contact", args=[contact.pk]))

    def render_form(self, form, contact, *, status=200, conflict=None):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "contact": contact,
                "creating": self.creating,
                "tag_options": tag_options(self.request.account),
                "conflict": conflict,
            },
            status=status,
        )


class ContactCreateView(ContactFormView):
    creating = True


class ContactEditView(ContactFormView):
    creating = False


class ContactDeleteView(ContactMixin, View):
    """GET: ask first (for browsers without JavaScript). POST: delete, back to the list.
    The contact's notes, activities and deals stay, unlinked."""

    def get(self, request, pk):
        return render(request, "web/contacts/delete.html", {"contact": self.get_contact()})

    def post(self, request, pk):
        contact = self.get_contact()
        contact_delete(contact=contact, by=request.user, source=Source.UI)
        messages.success(request, f"Deleted {contact.full_name}.")
        return HttpResponseRedirect(reverse("web:contacts"))


class ContactTagsView(ContactMixin, View):
    """POST `name`: add a tag (created if new). POST `remove=<tag id>`: take one off.
    Over htmx the answer is the contact's tags card; otherwise back to the contact."""

    http_method_names = ["post"]

    def post(self, request, pk):
        contact = self.get_contact()
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
