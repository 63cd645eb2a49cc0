"""The account's companies and members that an import's cells name, found in bulk."""

from __future__ import annotations

import re

from django.db.models import Q
from django.db.models.functions import Lower

from accounts.models import User
from companies.models import Company


def split_tags(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,]", text) if part.strip()]


class UnknownCompany(LookupError):
    """No company of the account has this name or domain (as opposed to several)."""


def company_name(text: str) -> str:
    """A company cell as the name of a company to create: trimmed, single spaces."""
    return " ".join(text.split())


def company_name_key(text: str) -> str:
    """What makes two names the same company: case and spacing aside."""
    return company_name(text).casefold()


def domain_key(text: str) -> str:
    text = text.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0]
    return text.removeprefix("www.")


class Directory:
    """The account's companies and members that one chunk's cells name: two queries."""

    def __init__(self, account, cells_by_field: dict[str, set[str]]):
        names = {company_name(c).lower() for c in cells_by_field.get("company", ())}
        domains = {domain_key(c) for c in cells_by_field.get("company", ())} - {""}
        self.companies_by_name: dict[str, list[Company]] = {}
        self.companies_by_domain: dict[str, list[Company]] = {}
        if names:
            companies = (
                Company.objects.for_account(account)
                .annotate(name_lower=Lower("name"), domain_lower=Lower("domain"))
                .filter(Q(name_lower__in=names) | Q(domain_lower__in=domains))
                .only("id", "name", "domain", "account_id")
                .order_by()
            )
            for company in companies:
                self.companies_by_name.setdefault(company.name_lower, []).append(company)
                key = domain_key(company.domain)
                if key:
                    self.companies_by_domain.setdefault(key, []).append(company)
        owners = {c.strip().lower() for c in cells_by_field.get("owner", ())}
        self.members: dict[str, list[User]] = {}
        if owners:
            # Every member, marked `assignable`: a deactivated one is named as such.
            members = (
                User.objects.with_assignable(account)
                .annotate(username_lower=Lower("username"), email_lower=Lower("email"))
                .filter(Q(username_lower__in=owners) | Q(email_lower__in=owners))
            )
            for user in members:
                self.members.setdefault(user.username_lower, []).append(user)
                if user.email_lower:
                    self.members.setdefault(user.email_lower, []).append(user)

    def company(self, text: str) -> Company:
        found = self.companies_by_name.get(
            company_name(text).lower()
        ) or self.companies_by_domain.get(domain_key(text))
        if not found:
            raise UnknownCompany(
                f"No company named or with the domain “{text.strip()}” in this account. "
                "Add the company first, or leave the cell empty."
            )
        if len(found) > 1:
            raise LookupError(
                f"Several companies are named “{text.strip()}”; use the company's domain."
            )
        return found[0]

    def member(self, text: str) -> User:
        found = {u.pk: u for u in self.members.get(text.strip().lower(), [])}
        if len(found) != 1:
            raise LookupError(
                f"“{text.strip()}” is not the username or email of a member of this account."
            )
        member = next(iter(found.values()))
        if not member.assignable:
            raise LookupError(
                f"“{text.strip()}” is deactivated in this account: name an active member, "
                "or leave the cell empty."
            )
        return member
