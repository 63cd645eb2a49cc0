"""Companies: the list (search, filters, sorting, pages), the company page, the form.

The list filters through the API's own `CompanyFilter`, so `?search=`, `industry`,
`size`, `owner` (an id or `me`) and `tag` mean the same in both. Every page costs a
constant number of queries whatever the number of companies, contacts or deals.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.generic import CreateView, DetailView, UpdateView
from django.views.generic.base import View

from accounts.models import Tag
from companies.api.filters import CompanyFilter
from companies.models import Company
from companies.services import company_create, company_update
from contacts.models import Contact
from deals.models import Deal
from events.models import Source
from lib.ids import parse_id
from lib.paginator import DeferredJoinPaginator
from web.edit_conflicts import EditConflict, conflict_context, saving_at_version
from web.forms import members_of
from web.forms.companies import CompanyForm
from web.tenancy import AccountViewMixin
from web.views.deals import RecordPageMixin, deal_summary
from web.views.pipeline import decorate_deal
from web.views.timeline import timeline_context

PAGE_SIZE = 25
RELATED_LIMIT = 50  # contacts and deals listed on the company page
# The columns a user may sort by, and what each means (first is the default).
SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "industry": ("industry", "name", "id"),
    "-industry": ("-industry", "name", "id"),
    "contacts": ("contact_count", "name", "id"),
    "-contacts": ("-contact_count", "name", "id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}


class CompanyListView(AccountViewMixin, View):
    """GET: the companies page; over htmx (search as you type, filters), just the
    results partial. Queries: the count, the page (contact counts, owner and parent
    joined), the industries, the tags and the members for the filters."""

    model = Company
    template_name = "web/companies/list.html"

    def scope_queryset(self, queryset):
        return queryset.with_contact_count().select_related("owner", "parent")

    def get(self, request):
        filterset = CompanyFilter(request.GET, queryset=self.get_queryset(), request=request)
        errors = (
            []
            if filterset.is_valid()
            else [f"{name.title()}: {' '.join(errs)}" for name, errs in filterset.errors.items()]
        )
        sort = request.GET.get("sort", "name")
        if sort not in SORTS:
            sort = "name"
        paginator = DeferredJoinPaginator(filterset.qs.order_by(*SORTS[sort]), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        sort_params = params.copy()
        sort_params.pop("sort", None)
        data = filterset.form.cleaned_data if hasattr(filterset.form, "cleaned_data") else {}
        filtered = any(data.get(k) for k in ("search", "industry", "size", "owner", "tag"))
        context = {
            "page": page,
            "companies": page.object_list,
            "sort": sort,
            "query": params.urlencode(),
            "sort_query": sort_params.urlencode(),
            "filters": {
                key: request.GET.get(key, "")
                for key in ("search", "industry", "size", "owner", "tag")
            },
            "filtered": filtered,
            "errors": errors,
        }
        if request.htmx:
            response = render(request, f"{self.template_name}#results", context)
        else:
            account = request.account
            context.update(
                industries=list(
                    Company.objects.for_account(account)
                    .exclude(industry="")
                    .order_by("industry")
                    .values_list("industry", flat=True)
                    .distinct()
                ),
                sizes=Company.Size.choices,
                members=list(members_of(account)),
                tags=list(
                    Tag.objects.for_account(account)
                    .filter(company_links__isnull=False)
                    .distinct()
                    .order_by("name")
                ),
            )
            response = render(request, self.template_name, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


class CompanyDetailView(RecordPageMixin, AccountViewMixin, DetailView):
    """A company: fields, parent and subsidiaries, contacts, deals and the timeline."""

    model = Company
    template_name = "web/companies/detail.html"
    context_object_name = "company"

    def scope_queryset(self, queryset):
        return queryset.select_related("parent", "owner").with_tag_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account, company = self.request.account, self.object
        subsidiaries = list(
            Company.objects.for_account(account)
            .filter(parent=company)
            .with_contact_count()
            .select_related("owner")
        )
        contacts = list(
            Contact.objects.for_account(account)
            .filter(company=company)
            .select_related("owner")[: RELATED_LIMIT + 1]
        )
        company_deals = Deal.objects.for_account(account).filter(company=company)
        deals = list(
            company_deals.with_stage_probability()
            .select_related("stage", "pipeline", "owner", "contact")
            .order_by("status", "expected_close_date", "-created_at")[: RELATED_LIMIT + 1]
        )
        for deal in deals:
            decorate_deal(deal)
        context.update(
            subsidiaries=subsidiaries,
            contacts=contacts[:RELATED_LIMIT],
            more_contacts=len(contacts) > RELATED_LIMIT,
            deals=deals[:RELATED_LIMIT],
            more_deals=len(deals) > RELATED_LIMIT,
            summary=deal_summary(company_deals),
            timeline=timeline_context(self.request, company),
        )
        return context


class CompanyFormMixin(AccountViewMixin):
    model = Company
    form_class = CompanyForm
    template_name = "web/companies/form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["account"] = self.request.account
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["industries"] = list(
            Company.objects.for_account(self.request.account)
            .exclude(industry="")
            .order_by("industry")
            .values_list("industry", flat=True)
            .distinct()
        )
        context["tag_names"] = list(
            Tag.objects.for_account(self.request.account)
            .order_by("name")
            .values_list("name", flat=True)
        )
        return context

    def get_success_url(self):
        return reverse("web:company", args=[self.object.pk])

    def form_valid(self, form):
        """Writes through the company services (never `form.save()`)."""
        request = self.request
        if self.object is None:
            self.object = company_create(
                account=request.account, by=request.user, source=Source.UI, data=form.record_data()
            )
        else:
            self.object = company_update(
                company=self.object, by=request.user, source=Source.UI, data=form.record_data()
            )
        return HttpResponseRedirect(self.get_success_url())


class CompanyCreateView(CompanyFormMixin, CreateView):
    """A new company; `?parent=<id>` preselects the parent (for "Add a subsidiary")."""

    def get_initial(self):
        initial = super().get_initial()
        parent = parse_id(self.request.GET.get("parent", ""))
        if parent is not None:
            initial["parent"] = parent
        initial.setdefault("owner", self.request.user.pk)
        return initial

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, f"Company “{self.object.name}” created.")
        return response


class CompanyUpdateView(CompanyFormMixin, UpdateView):
    def form_valid(self, form):
        try:
            with saving_at_version(form):
                response = super().form_valid(form)
        except EditConflict:
            context = self.get_context_data(
                form=form, conflict=conflict_context(form, request=self.request)
            )
            return self.render_to_response(context, status=409)
        messages.success(self.request, "Company saved.")
        return response
