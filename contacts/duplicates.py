"""Likely duplicate contacts (contract, "Duplicates and merge").

Reasons and scores (contacts/matching_keys.py; several combine as in
lib/duplicate_reasons.py, e.g. phone and name: 95):

| reason                  | means                                          | score |
| ----------------------- | ---------------------------------------------- | ----- |
| `phone`                 | same phone number (stored in E.164)            | 90    |
| `name_and_email_domain` | same full name, same email domain              | 85    |
| `name_and_company`      | same full name, same company                   | 80    |
| `name`                  | same full name only                            | 50    |

Full names compare without case, accents or extra spaces ("José  Núñez" is "jose
nunez"). One contact's duplicates are found live through the indexes on
`(account, name_key)` and `(account, phone)`: one query. The account-wide list reads
the pairs the last scan stored (companies/duplicate_scans.py, contacts/tasks.py).
"""

from __future__ import annotations

from django.db.models import Q

from companies.duplicate_scans import ScanPlan, ScanStep
from contacts.matching_keys import CONTACT_REASONS, contact_name_key, email_domain
from contacts.models import Contact, ContactDuplicate
from lib.duplicate_matches import Match, matches_of, pairs_best_first

REASONS = CONTACT_REASONS

_SAME_DOMAIN = "(a.email_domain <> '' AND a.email_domain = b.email_domain)"
_SAME_COMPANY = "(a.company_id = b.company_id)"  # NULL (no company) never matches
# Pairs sharing a full name, each with its exact reasons.
_SAME_NAME = ScanStep(
    keys=("name_key",),
    where="name_key <> ''",
    columns=("email_domain", "company_id"),
    bits=f"""CASE WHEN {_SAME_DOMAIN} OR {_SAME_COMPANY} THEN
        (CASE WHEN {_SAME_DOMAIN} THEN {REASONS.bit("name_and_email_domain")} ELSE 0 END)
        + (CASE WHEN {_SAME_COMPANY} THEN {REASONS.bit("name_and_company")} ELSE 0 END)
        ELSE {REASONS.bit("name")} END""",
)
SCAN_PLAN = ScanPlan(
    record_table=Contact._meta.db_table,
    pair_table=ContactDuplicate._meta.db_table,
    reasons=REASONS,
    steps=(
        ScanStep(keys=("phone",), where="phone <> ''", bits=str(REASONS.bit("phone"))),
        # The name's two strong forms have steps of their own, so that they are found
        # even in a large group of one name, past its first few.
        ScanStep(
            keys=("name_key", "email_domain"),
            where="name_key <> '' AND email_domain <> ''",
            bits=str(REASONS.bit("name_and_email_domain")),
            within=_SAME_NAME,
        ),
        ScanStep(
            keys=("name_key", "company_id"),
            where="name_key <> '' AND company_id IS NOT NULL",
            bits=str(REASONS.bit("name_and_company")),
            within=_SAME_NAME,
        ),
        _SAME_NAME,
    ),
)


def _conditions(*, name_key: str, domain: str, company_id: int | None, phone: str):
    # Each "<> ''" repeats a partial index's condition, so PostgreSQL uses the index
    # even with the generic plan of a prepared statement.
    nothing = Q(pk__in=[])
    same_name = Q(name_key=name_key) & ~Q(name_key="") if name_key else nothing
    same_domain = Q(email_domain=domain) if domain else nothing
    same_company = Q(company_id=company_id) if company_id else nothing
    return {
        "phone": Q(phone=phone) & ~Q(phone="") if phone else nothing,
        "name_and_email_domain": same_name & same_domain,
        "name_and_company": same_name & same_company,
        "name": same_name & ~same_domain & ~same_company,
    }


def contact_duplicates(contact: Contact, *, limit: int | None = 20) -> list[Match]:
    """The likely duplicates of a stored contact in its account, best first (score,
    then id), at most `limit`. One query."""
    return matches_of(
        Contact.objects.for_account(contact.account_id).exclude(pk=contact.pk),
        REASONS,
        _conditions(
            name_key=contact.name_key,
            domain=contact.email_domain,
            company_id=contact.company_id,
            phone=str(contact.phone or ""),
        ),
        limit=limit,
    )


def contact_duplicates_of_values(
    account,
    *,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    company_id: int | None = None,
    limit: int | None = 20,
) -> list[Match]:
    """The contacts of `account` that a contact with these values (`phone` in E.164)
    would duplicate: the create form's look-up, before anything is saved. One query."""
    return matches_of(
        Contact.objects.for_account(account),
        REASONS,
        _conditions(
            name_key=contact_name_key(first_name, last_name),
            domain=email_domain(email),
            company_id=company_id,
            phone=phone,
        ),
        limit=limit,
    )


def contact_pairs(account):
    """The account's stored pairs, best first, both contacts loaded (one query a
    page); pairs whose contact was deleted since the scan are left out."""
    return pairs_best_first(ContactDuplicate.objects.for_account(account))
