"""Likely duplicates as pages show them, shared by the duplicates area and the contact
and company pages: each record type's model, look-ups, compare fields and URLs, the
reasons in words, and a record's duplicates with links to compare."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from companies.duplicates import (
    company_duplicates,
    company_duplicates_of_values,
    company_pairs,
)
from companies.models import Company
from contacts.duplicates import (
    contact_duplicates,
    contact_duplicates_of_values,
    contact_pairs,
)
from contacts.models import Contact


@dataclass(frozen=True)
class DuplicateKind:
    slug: str  # in URLs: "contacts" | "companies"
    record_type: str  # the scan's: "contact" | "company"
    model: type
    label: str
    duplicates_of: Callable
    duplicates_of_values: Callable
    pairs: Callable
    fields: tuple[tuple[str, str], ...]  # (attribute, label) on the compare page
    related: tuple[str, ...]  # select_related of the compare page
    url_name: str  # the record's page
    merge_url_name: str  # the merge screen, when it exists

    @property
    def list_url_name(self) -> str:
        return f"web:{self.slug}-duplicates"

    @property
    def scan_url_name(self) -> str:
        return f"web:{self.slug}-scan"

    @property
    def compare_url_name(self) -> str:
        return f"web:{self.slug}-compare"


KINDS = {
    "contacts": DuplicateKind(
        slug="contacts",
        record_type="contact",
        model=Contact,
        label="Contacts",
        duplicates_of=contact_duplicates,
        duplicates_of_values=contact_duplicates_of_values,
        pairs=contact_pairs,
        fields=(
            ("first_name", "First name"),
            ("last_name", "Last name"),
            ("email", "Email"),
            ("phone", "Phone"),
            ("title", "Title"),
            ("company", "Company"),
            ("owner", "Owner"),
            ("created_at", "Created"),
        ),
        related=("company", "owner"),
        url_name="web:contact",
        merge_url_name="web:contact-merge",
    ),
    "companies": DuplicateKind(
        slug="companies",
        record_type="company",
        model=Company,
        label="Companies",
        duplicates_of=company_duplicates,
        duplicates_of_values=company_duplicates_of_values,
        pairs=company_pairs,
        fields=(
            ("name", "Name"),
            ("domain", "Domain"),
            ("industry", "Industry"),
            ("size", "Size"),
            ("parent", "Parent company"),
            ("owner", "Owner"),
            ("created_at", "Created"),
        ),
        related=("parent", "owner"),
        url_name="web:company",
        merge_url_name="web:company-merge",
    ),
}


REASON_LABELS = {
    "phone": "same phone",
    "name_and_email_domain": "same name and email domain",
    "name_and_company": "same name and company",
    "name": "same name",
    "domain_root": "same domain",
}


def reasons_text(reasons) -> str:
    """`["phone", "name"]` → "same phone, same name"."""
    return ", ".join(REASON_LABELS.get(reason, reason) for reason in reasons)


def likely_duplicates(slug: str, record) -> list[dict]:
    """The record's likely duplicates for its page: each other record, its score and
    reasons in words, and the compare page's URL. Two queries, whatever their number."""
    kind = KINDS[slug]
    matches = kind.duplicates_of(record)
    others = kind.model.objects.for_account(record.account_id).in_bulk([m.id for m in matches])
    return [
        {
            "record": others[m.id],
            "score": m.score,
            "reasons": reasons_text(m.reasons),
            "compare_url": reverse(f"web:{slug}-compare", args=sorted((record.pk, m.id))),
        }
        for m in matches
        if m.id in others
    ]
