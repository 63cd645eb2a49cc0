"""`GET /search/?q=`: contacts, companies, deals and notes matching every word as a prefix.

One query per kind (the first TOP_N + 1 hits, the extra one only says "there are
more"); `&kind=deals` lists one kind in full, paginated (a count and a page).
"""

import re

from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from companies.models import Company
from contacts.models import Contact
from deals.models import Deal
from lib.search import order_hits_by_sorting, search_words
from notes.models import Note
from web.formatting import format_money
from web.tenancy import AccountViewMixin
from web.views.dashboard import note_preview, note_record

TOP_N = 5
PAGE_SIZE = 25
MAX_QUERY = 200


def highlight(text: str, words: list[str]):
    """`text` escaped, with the starts of words that match the search in <mark>."""
    if not text or not words:
        return text
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, words)) + ")", re.IGNORECASE)
    parts = pattern.split(text)  # odd positions are the matches
    return mark_safe(
        "".join(
            f"<mark>{escape(part)}</mark>" if index % 2 else escape(part)
            for index, part in enumerate(parts)
        )
    )


def see_all_url(kind: str, query: str) -> str:
    """Contacts and companies have their own searchable lists; deals are listed here."""
    if kind == "contacts":
        return "/contacts/?" + urlencode({"search": query})
    if kind == "companies":
        return "/companies/?" + urlencode({"search": query})
    if kind == "notes":
        return reverse("web:notes") + "?" + urlencode({"q": query})
    return reverse("web:search") + "?" + urlencode({"q": query, "kind": kind})


class SearchView(AccountViewMixin, TemplateView):
    template_name = "web/search/results.html"
    KINDS = ("contacts", "companies", "deals", "notes")
    LABELS = {"contacts": "Contacts", "companies": "Companies", "deals": "Deals", "notes": "Notes"}

    def querysets(self):
        account = self.request.account
        return {
            "contacts": Contact.objects.for_account(account).select_related("company"),
            "companies": Company.objects.for_account(account),
            "deals": Deal.objects.for_account(account).select_related("stage", "company"),
            "notes": Note.objects.for_account(account).select_related("contact", "company", "deal"),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = " ".join(self.request.GET.get("q", "").split())[:MAX_QUERY]
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in self.KINDS else ""
        context.update(
            query=query,
            global_query=query,
            kind=kind,
            groups=[],
            searchable=bool(search_words(query)),
        )
        if not context["searchable"]:
            return context
        querysets = self.querysets()
        if kind:
            hits = self.hits(querysets[kind], query)
            page = Paginator(hits, PAGE_SIZE).get_page(self.request.GET.get("page"))
            context["page"] = page
            context["groups"] = [self.group(kind, list(page.object_list), query, more=False)]
            return context
        for name in self.KINDS:
            hits = list(self.hits(querysets[name], query)[: TOP_N + 1])
            context["groups"].append(self.group(name, hits[:TOP_N], query, more=len(hits) > TOP_N))
        context["total_shown"] = sum(len(group["hits"]) for group in context["groups"])
        return context

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "search-results":
            return [f"{self.template_name}#results"]
        return [self.template_name]

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        patch_vary_headers(response, ["HX-Request", "HX-Target"])
        return response

    @staticmethod
    def hits(queryset, query):
        """The matches in the model's usual order, sorted after the index lookup on
        PostgreSQL (`order_hits_by_sorting` rewrites an explicit ORDER BY only)."""
        ordered = queryset.search(query).order_by(*queryset.model._meta.ordering)
        return order_hits_by_sorting(ordered)

    def group(self, kind, records, query, *, more):
        hits = [self.DESCRIBE[kind](record) for record in records]
        words = search_words(query)
        for hit in hits:
            hit["title"] = highlight(hit["title"], words)
            hit["detail"] = highlight(hit["detail"], words)
        return {
            "kind": kind,
            "label": self.LABELS[kind],
            "hits": hits,
            "more": more,
            "see_all": see_all_url(kind, query),
        }

    @staticmethod
    def describe_contact(contact):
        detail = " · ".join(
            filter(None, [contact.email, contact.company.name if contact.company else ""])
        )
        return {
            "title": contact.full_name or contact.email,
            "url": f"/contacts/{contact.pk}/",
            "detail": detail,
        }

    @staticmethod
    def describe_company(company):
        return {
            "title": company.name,
            "url": f"/companies/{company.pk}/",
            "detail": " · ".join(filter(None, [company.industry, company.domain])),
        }

    @staticmethod
    def describe_deal(deal):
        state = deal.stage.name if deal.is_open else deal.get_status_display()
        parts = [
            format_money(deal.value_cents, deal.currency),
            state,
            deal.company.name if deal.company else "",
        ]
        return {
            "title": deal.title,
            "url": f"/deals/{deal.pk}/",
            "detail": " · ".join(filter(None, parts)),
        }

    @staticmethod
    def describe_note(note):
        record, url = note_record(note)
        detail = note.get_kind_display() + (f" on {record}" if record else "")
        return {"title": note_preview(note.body, limit=140), "url": url, "detail": detail}

    DESCRIBE = {
        "contacts": describe_contact,
        "companies": describe_company,
        "deals": describe_deal,
        "notes": describe_note,
    }
