"""The contacts list: search as you type, filters, sort, pages, bulk actions, CSV export."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_htmx.http import push_url

from accounts.models import Tag
from companies.models import Company
from contacts.models import Contact
from contacts.services import contacts_add_tag, contacts_assign_owner, contacts_delete
from events.models import Source
from lib.paginator import DeferredJoinPaginator
from web.forms import members_of
from web.forms.contacts import BulkActionForm
from web.tenancy import AccountViewMixin
from web.views.contacts.filters import ContactFilters

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


class ContactListMixin(AccountViewMixin):
    model = Contact

    def scope_queryset(self, queryset):
        return queryset.select_related("company", "owner").with_tag_list()

    def filtered(self):
        self.filters = ContactFilters.from_query(self.request.GET)
        return self.filters.apply(self.get_queryset(), self.request.user)


class ContactListView(ContactListMixin, View):
    """GET: the list page; over htmx (search, filters, sort, pages) only its results.

    Queries: the count, the page, the page's tags; the full page adds the filters'
    choices (tags, companies, members).
    """

    template_name = "web/contacts/list.html"

    def get(self, request):
        queryset = self.filtered()
        page = DeferredJoinPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
        filters = self.filters
        context = {
            "filters": filters,
            "page": page,
            "contacts": list(page.object_list),
            "total_display": f"{page.paginator.count:,}",
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
            "member_options": members_of(request.account),
        }
        partial = request.htmx and not request.htmx.history_restore_request
        response = render(request, self.template_name + ("#results" if partial else ""), context)
        if partial:
            # The address bar shows the tidy URL (no empty fields), so it can be shared.
            push_url(
                response,
                reverse("web:contacts")
                + filters.querystring(page=page.number if page.number > 1 else ""),
            )
        patch_vary_headers(response, ["HX-Request"])
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
            count = contacts_delete(**done_by)
            messages.success(request, f"Deleted {_contacts(count)}.")
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
