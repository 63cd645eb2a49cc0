"""Likely duplicate companies (contract, "Duplicates and merge").

Reasons and scores (companies/matching_keys.py; several combine as in
lib/duplicate_reasons.py):

| reason        | means                                                      | score |
| ------------- | ---------------------------------------------------------- | ----- |
| `domain_root` | same registrable domain (`eu.acme.com` and `acme.com`)     | 90    |
| `name`        | same name without case, accents, punctuation, legal suffix | 70    |

Both: 97. One company's duplicates are found live through the indexes on
`(account, name_key)` and `(account, domain_root)`: one query. The account-wide list
reads the pairs the last scan stored (companies/duplicate_scans.py).
"""

from __future__ import annotations

from django.db.models import Q

from companies.duplicate_scans import ScanPlan, ScanStep
from companies.matching_keys import COMPANY_REASONS, company_name_key, domain_root
from companies.models import Company, CompanyDuplicate
from lib.duplicate_matches import Match, matches_of, pairs_best_first

REASONS = COMPANY_REASONS

SCAN_PLAN = ScanPlan(
    record_table=Company._meta.db_table,
    pair_table=CompanyDuplicate._meta.db_table,
    reasons=REASONS,
    steps=(
        ScanStep(
            keys=("domain_root",), where="domain_root <> ''", bits=str(REASONS.bit("domain_root"))
        ),
        ScanStep(keys=("name_key",), where="name_key <> ''", bits=str(REASONS.bit("name"))),
    ),
)


def _conditions(name_key: str, root: str) -> dict[str, Q]:
    # The "<> ''" repeats the partial indexes' condition, so PostgreSQL uses them
    # even with a generic plan of a prepared statement.
    return {
        "domain_root": Q(domain_root=root) & ~Q(domain_root="") if root else Q(pk__in=[]),
        "name": Q(name_key=name_key) & ~Q(name_key="") if name_key else Q(pk__in=[]),
    }


def company_duplicates(company: Company, *, limit: int | None = 20) -> list[Match]:
    """The likely duplicates of a stored company in its account, best first (score,
    then id), at most `limit`. One query."""
    return matches_of(
        Company.objects.for_account(company.account_id).exclude(pk=company.pk),
        REASONS,
        _conditions(company.name_key, company.domain_root),
        limit=limit,
    )


def company_duplicates_of_values(
    account, *, name: str = "", domain: str = "", limit: int | None = 20
) -> list[Match]:
    """The companies of `account` that a company with this name and (normalised)
    domain would duplicate: the create form's look-up, before anything is saved."""
    return matches_of(
        Company.objects.for_account(account),
        REASONS,
        _conditions(company_name_key(name), domain_root(domain)),
        limit=limit,
    )


def company_pairs(account):
    """The account's stored pairs, best first, both companies loaded (one query a
    page); pairs whose company was deleted since the scan are left out."""
    return pairs_best_first(CompanyDuplicate.objects.for_account(account))
