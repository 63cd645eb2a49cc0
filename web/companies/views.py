"""Companies: the list (search, filters, sorting, pages, delete selected), the company
page, the form, the delete.

The list filters through the API's own `CompanyFilter`, so `?search=`, `industry`,
`size`, `owner` (an id or `me`) and `tag` mean the same in both. Every page costs a
constant number of queries whatever the number of companies, contacts or deals.
"""

from django.template.defaultfilters import pluralize
from django.urls import reverse, reverse_lazy

from accounts.models import Tag, User
from companies.filters import CompanyFilter
from companies.models import Company
from companies.services import companies_delete, company_create, company_delete, company_update
from contacts.models import Contact
from customfields.values import definitions_for
from deals.models import Deal
from lib.ids import parse_id
from web.bulk_delete import BulkDeleteView, counted
from web.companies.forms import CompanyForm
from web.crud import RecordDeleteView, RecordDetailView, RecordFormView, RecordListView
from web.custom_field_display import custom_field_rows
from web.custom_field_lists import CustomFieldListMixin
from web.deal_display import deal_summary, decorate_deal
from web.likely_duplicates import likely_duplicates
from web.owner_status import with_owner_status
from web.record_timeline import timeline_context

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
LIST_FILTERS = ("search", "industry", "size", "owner", "tag")  # the ones the page shows


class CompanyListView(CustomFieldListMixin, RecordListView):
    """GET: the companies page; over htmx (search as you type, filters), just the
    results partial. Queries: the count, the page (contact counts, owner and parent
    joined), the industries, the tags and the members for the filters."""

    model = Company
    filterset_class = CompanyFilter
    template_name = "web/companies/list.html"
    page_size = PAGE_SIZE
    custom_field_record_type = "company"

    def scope_queryset(self, queryset):
        return queryset.with_contact_count().select_related("owner", "parent")

    def order(self, queryset):
        return queryset.order_by(*SORTS[self.sort()])

    def sort(self) -> str:
        sort = self.request.GET.get("sort", "name")
        return sort if sort in SORTS else "name"

    def get_context_data(self, *, filterset, page, errors):
        request = self.request
        params = request.GET.copy()
        params.pop("page", None)
        sort_params = params.copy()
        sort_params.pop("sort", None)
        data = filterset.form.cleaned_data if hasattr(filterset.form, "cleaned_data") else {}
        companies = list(page.object_list)
        context = {
            **self.custom_field_context(companies),
            "page": page,
            "companies": companies,
            "sort": self.sort(),
            "query": params.urlencode(),
            "sort_query": sort_params.urlencode(),
            "filters": {key: request.GET.get(key, "") for key in LIST_FILTERS},
            "filtered": any(data.get(k) for k in LIST_FILTERS) or bool(self.custom_filter_params()),
            "errors": errors,
        }
        if not self.is_partial():
            account = request.account
            context.update(
                industries=industries(account),
                sizes=Company.Size.choices,
                members=list(User.objects.members_of(account)),
                tags=list(
                    Tag.objects.for_account(account)
                    .filter(company_links__isnull=False)
                    .distinct()
                    .order_by("name")
                ),
            )
        return context


def industries(account) -> list[str]:
    """The industries the account's companies name, for the filter and the form (one
    query)."""
    return list(
        Company.objects.for_account(account)
        .exclude(industry="")
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()
    )


class CompanyDetailView(RecordDetailView):
    """A company: fields, parent and subsidiaries, contacts, deals and the timeline."""

    model = Company
    template_name = "web/companies/detail.html"
    context_object_name = "company"

    def scope_queryset(self, queryset):
        return with_owner_status(queryset.select_related("parent", "owner").with_tag_list())

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
            likely_duplicates=likely_duplicates("companies", company),
            custom_fields=custom_field_rows(
                definitions_for(account, "company"), company.custom_fields
            ),
        )
        return context


class CompanyFormView(RecordFormView):
    """A new company (`?parent=<id>` preselects the parent, for "Add a subsidiary"),
    or a company's edit form; saved through the company services."""

    model = Company
    form_class = CompanyForm
    template_name = "web/companies/form.html"
    create_service = staticmethod(company_create)
    update_service = staticmethod(company_update)
    record_url_name = "web:company"

    def get_initial(self):
        initial = super().get_initial()
        if self.creating:
            parent = parse_id(self.request.GET.get("parent", ""))
            if parent is not None:
                initial["parent"] = parent
            initial.setdefault("owner", self.request.user.pk)
        return initial

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["industries"] = industries(self.request.account)
        context["tag_names"] = list(
            Tag.objects.for_account(self.request.account)
            .order_by("name")
            .values_list("name", flat=True)
        )
        return context

    def success_message(self, company) -> str:
        return f"Company “{company.name}” created." if self.creating else "Company saved."


class CompanyDeleteView(RecordDeleteView):
    """GET: the confirm page, saying what stays linked to nothing. POST: the company
    goes to the trash; its Undo brings it back with its links."""

    model = Company
    context_object_name = "company"
    delete_service = staticmethod(company_delete)
    success_url = reverse_lazy("web:companies")

    def confirm_context(self, company) -> dict:
        account = self.request.account
        # Three counts, on a page shown once per delete.
        subsidiaries = Company.objects.for_account(account).filter(parent=company).count()
        linked = [
            counted(Contact, Contact.objects.for_account(account).filter(company=company).count()),
            f"{subsidiaries:,} subsidiar{pluralize(subsidiaries, 'y,ies')}",
            counted(Deal, Deal.objects.for_account(account).filter(company=company).count()),
        ]
        return {
            "title": f"Delete {company.name}?",
            "consequence": (
                f"Its {', '.join(linked)} stay, no longer linked to it; restoring it links "
                "them again."
            ),
            "button": "Delete company",
            "cancel_url": reverse("web:company", args=[company.pk]),
        }

    def success_message(self, company) -> str:
        return f"Deleted {company.name}."


class CompanyBulkDeleteView(BulkDeleteView):
    """POST `ids`: "Delete selected" on the companies list."""

    model = Company
    delete_service = staticmethod(companies_delete)
    list_url_name = "web:companies"
