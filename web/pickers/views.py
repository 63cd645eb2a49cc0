"""The pickers' answers: `GET /pickers/<kind>/?q=` lists the first matches of what was
typed as the options of a combobox (web/static/web/picker.js), and
`POST /pickers/<kind>/new/` creates a record named inline and answers its option.

A keystroke costs one session query, one membership query and one indexed range scan
per key of the model (`lib.search.prefix_hits`): constant at any account size.
"""

from django import forms
from django.db.models import Q
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.generic import TemplateView

from accounts.models import User
from companies.models import PICKER_KEYS as COMPANY_KEYS
from companies.models import Company
from companies.services import company_create
from contacts.models import Contact
from contacts.search import PICKER_KEYS as CONTACT_KEYS
from contacts.services import contact_create
from deals.models import PICKER_KEYS as DEAL_KEYS
from deals.models import Deal
from events.models import Source
from lib.ids import parse_id
from lib.search import prefix_hits, typed_text
from web.tenancy import AccountViewMixin

LIMIT = 10
MAX_QUERY = 200


def typed(request) -> str:
    """The search text, one line, at most MAX_QUERY characters."""
    return " ".join(request.GET.get("q", "").split())[:MAX_QUERY]


class OptionsResponseMixin:
    """Options are rendered without the page's context processors (the account
    switcher's memberships, the bell...): a keystroke pays for no query it shows
    nothing of."""

    def render_to_response(self, context, **kwargs):
        return HttpResponse(render_to_string(self.template_name, context), **kwargs)


class PickerView(OptionsResponseMixin, AccountViewMixin, TemplateView):
    """The first LIMIT matches of `q` among the account's rows of `model`, as options;
    with no exact match (and a model that can be created inline), "Create new …"."""

    template_name = "web/pickers/options.html"
    keys: dict = {}
    noun = ""
    create_url_name = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = typed(self.request)
        options = [self.option(record) for record in self.matches(query)]
        exact = any(typed_text(option["label"]) == typed_text(query) for option in options)
        context.update(
            query=query,
            options=options,
            noun=self.noun,
            offer_create=bool(self.create_url_name and query.strip() and not exact),
        )
        return context

    def matches(self, query: str) -> list:
        return prefix_hits(self.get_queryset(), self.keys, query, limit=LIMIT)

    def option(self, record) -> dict:
        return {"value": record.pk, "label": str(record), "detail": ""}


class ContactPickerView(PickerView):
    """Contacts by full name (from the first or the last name) or email; `company=<id>`
    narrows to that company's contacts (the deal form, once a company is chosen)."""

    model = Contact
    keys = CONTACT_KEYS
    noun = "contact"
    create_url_name = "web:picker-contacts-new"

    def scope_queryset(self, queryset):
        queryset = queryset.only("id", "first_name", "last_name", "email")
        company_id = parse_id(self.request.GET.get("company", ""))
        if company_id is not None:
            queryset = queryset.filter(company_id=company_id)
        return queryset

    def option(self, contact) -> dict:
        return {"value": contact.pk, "label": contact.full_name, "detail": contact.email}


class CompanyPickerView(PickerView):
    """Companies by name, then by domain."""

    model = Company
    keys = COMPANY_KEYS
    noun = "company"
    create_url_name = "web:picker-companies-new"

    def scope_queryset(self, queryset):
        return queryset.only("id", "name", "domain")

    def option(self, company) -> dict:
        return {"value": company.pk, "label": company.name, "detail": company.domain}


class DealPickerView(PickerView):
    """Deals by title. No "Create new": a deal needs a pipeline, a value, a currency,
    which its own form asks for."""

    model = Deal
    keys = DEAL_KEYS
    noun = "deal"

    def scope_queryset(self, queryset):
        return queryset.only("id", "title")


class OwnerPickerView(PickerView):
    """The account's active members (a handful: one query, no index needed) by first
    name, last name, username or email; a deactivated member is assigned nothing new."""

    model = User
    noun = "person"

    def get_queryset(self):
        # The account's active members: the ones a record may be assigned to (as
        # web/account_forms.py `scoped_choices` chooses owners).
        return User.objects.assignable_to(self.request.account).only(
            "id", "first_name", "last_name", "username", "email"
        )

    def matches(self, query: str) -> list:
        members = self.get_queryset()
        for word in query.split():
            members = members.filter(
                Q(first_name__istartswith=word)
                | Q(last_name__istartswith=word)
                | Q(username__istartswith=word)
                | Q(email__istartswith=word)
            )
        return list(members[:LIMIT])

    def option(self, user) -> dict:
        return {"value": user.pk, "label": user.get_full_name() or user.username, "detail": ""}


class NewContactForm(forms.Form):
    name = forms.CharField(max_length=201)

    def clean_name(self):
        """ "Ann Lee" → first name "Ann", last name "Lee" (the rest after the first word)."""
        first, _space, last = " ".join(self.cleaned_data["name"].split()).partition(" ")
        if not first:
            raise forms.ValidationError("Type the contact's name.")
        if len(first) > 100 or len(last) > 100:
            raise forms.ValidationError("A first or last name is at most 100 characters.")
        return {"first_name": first, "last_name": last}


class NewCompanyForm(forms.Form):
    name = forms.CharField(max_length=200)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Type the company's name.")
        return {"name": name}


class PickerCreateView(OptionsResponseMixin, AccountViewMixin, TemplateView):
    """POST `name`: create the record through its app's service (its event appended)
    and answer its option, chosen (201); a name the form refuses is a 400 with the
    message, written nowhere."""

    template_name = "web/pickers/created.html"
    http_method_names = ["post"]
    form_class = None
    create_service = None
    option = None

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST)
        if not form.is_valid():
            return self.render_to_response({"errors": form.errors["name"]}, status=400)
        data = form.cleaned_data["name"]
        record = self.create_service(
            account=request.account, by=request.user, source=Source.UI, data=data
        )
        return self.render_to_response({"option": self.option(record)}, status=201)


class ContactCreateView(PickerCreateView):
    form_class = NewContactForm
    create_service = staticmethod(contact_create)
    option = ContactPickerView.option


class CompanyCreateView(PickerCreateView):
    form_class = NewCompanyForm
    create_service = staticmethod(company_create)
    option = CompanyPickerView.option
