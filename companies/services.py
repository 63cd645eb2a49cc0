"""Every write to companies: create, update, delete and tags, each atomic and
recorded as `company.*` events in its transaction. The API, the web app and the admin
call these and never save a company themselves."""

from __future__ import annotations

from django.db import transaction

from accounts.models import Tag
from companies.api.serializers import CompanySerializer
from companies.models import Company
from events.kinds import RecordKind, register
from events.models import Source
from events.recording import (
    current,
    draft_created,
    record_create,
    record_tags_change,
    record_update,
)
from events.representations import representation, representations
from events.services import events_append
from trash.merging import record_merge
from trash.services import records_trash


def company_representation(company: Company) -> dict:
    """The company's API representation (an event's `data`); its `tag_list` must be
    loaded. One query for `contact_count` unless the row was annotated with it."""
    return representation(CompanySerializer, company)


def _scoped(company: Company):
    return Company.objects.for_account(company.account_id)


def company_create(*, account, by, source: Source, data: dict) -> Company:
    """Create a company from validated field values (`tags` as names); `company.created`."""
    return record_create(
        model=Company,
        account=account,
        by=by,
        source=source,
        record_type="company",
        data=data,
        serialize=company_representation,
    )


def company_update(*, company: Company, by, source: Source, data: dict) -> Company:
    """Write the fields of `data` that differ from the stored company (and its tags, as
    names); `company.updated` with what changed. Returns the company as stored."""
    return record_update(
        queryset=_scoped(company),
        record=company,
        by=by,
        source=source,
        record_type="company",
        data=data,
        serialize=company_representation,
    )


def _companies_of(accounts: set):
    # One account (always, but for the admin's selection): pinned, so the contact count
    # is correlated within it and reaches one shard on Citus.
    if len(accounts) == 1:
        return Company.objects.for_account(next(iter(accounts)))
    return Company.objects.for_accounts(accounts)


def companies_representations(companies) -> list[dict]:
    """API representations of many companies, counted and tagged in two queries (not
    one per company), in the order given."""
    ids = [c.pk for c in companies]
    annotated = {
        c.pk: c
        for c in _companies_of({c.account_id for c in companies})
        .filter(pk__in=ids)
        .with_contact_count()
        .with_tag_list()
    }
    return representations(CompanySerializer, [annotated[pk] for pk in ids])


COMPANY = register(
    RecordKind(
        model=Company,
        record_type="company",
        represent=company_representation,
        represent_many=companies_representations,
        derived=frozenset({"contact_count"}),
        title=lambda data: data.get("name") or "",
    )
)


def company_delete(*, company: Company, by, source: Source) -> None:
    """Move the company to the trash (its contacts, subsidiaries, deals, activities and
    notes stay, unlinked); `company.deleted`."""
    with transaction.atomic():
        locked = current(_scoped(company), company)
        records_trash(COMPANY, rows=[locked], by=by, source=source)


# The fields a merge takes from the other company (and `prefer_other` may name); tags
# are always united.
COMPANY_MERGE_FIELDS = (
    "name",
    "domain",
    "industry",
    "size",
    "parent",
    "owner",
    "custom_fields",
)


def company_merge(*, company: Company, other, prefer_other=(), by, source: Source) -> Company:
    """Merge `other` (a company or its id) into `company`, which keeps its id: fields
    as `contact_merge`'s; the other's contacts, subsidiaries, deals, activities and
    notes move here; the other goes to the trash (`company.deleted`) and restoring it
    undoes the merge. `company.merged`. Never leaves a company its own ancestor (see
    `_parent_settle`)."""
    return record_merge(
        COMPANY,
        record=company,
        other=other,
        fields=COMPANY_MERGE_FIELDS,
        prefer_other=prefer_other,
        by=by,
        source=source,
        settle=_parent_settle,
    )


def _parent_settle(survivor: Company, other: Company, values: dict) -> None:
    """The survivor's parent after a merge, once the other's subsidiaries are the
    survivor's: the merged value, else (when that would close a cycle) the survivor's
    own, else the other's parent, else none. The other itself, about to go, stands for
    its parent (a child merged with its parent takes the grandparent); a parent that is
    the survivor or one of its descendants (a parent merged into its child, a
    grandparent into its grandchild, whose former parent is now its subsidiary) is
    passed over. One query per candidate tried (at most three)."""
    tried = set()
    for candidate in (values["parent_id"], survivor.parent_id, other.parent_id):
        if candidate == other.pk:
            candidate = other.parent_id
        if candidate is None:
            break
        if candidate in tried:
            continue
        tried.add(candidate)
        if not survivor.would_be_own_ancestor(candidate):
            break
    else:
        candidate = None
    values["parent_id"] = candidate


def company_tag_add(*, company: Company, by, source: Source, name: str) -> Company:
    """Add one tag by name (created if needed); `company.updated` when it is new here."""
    return record_tags_change(
        queryset=_scoped(company),
        record=company,
        by=by,
        source=source,
        record_type="company",
        serialize=company_representation,
        add=(name,),
    )


def company_tag_remove(*, company: Company, by, source: Source, tag: Tag) -> Company:
    """Take one tag off this company (the tag stays); `company.updated` if it had it."""
    return record_tags_change(
        queryset=_scoped(company),
        record=company,
        by=by,
        source=source,
        record_type="company",
        serialize=company_representation,
        remove_ids=(tag.pk,),
    )


def companies_create(*, account, by, source: Source, companies: list[Company]) -> list[Company]:
    """Insert new, unsaved companies (name and plain fields; no tags), owned by `by`, one
    `company.created` each, in a constant number of queries (the import's companies).
    The instances get their ids; returns them."""
    if not companies:
        return []
    with transaction.atomic():
        for company in companies:
            company.account_id = account.pk
            company.owner_id = getattr(by, "pk", by)
        Company.objects.for_account(account).bulk_create(companies)
        for company in companies:
            # New: no contacts, no tags; the representation needs no query.
            company.contact_count = 0
            company.tag_list = []
        afters = representations(CompanySerializer, companies)
        events_append(
            account=account,
            by=by,
            source=source,
            drafts=[draft_created("company", after) for after in afters],
        )
    return companies


def companies_delete(*, account, by, source: Source, ids) -> int:
    """Move the account's companies among `ids` to the trash, one `company.deleted`
    each, in a constant number of queries. Returns how many were deleted."""
    with transaction.atomic():
        companies = list(
            Company.objects.for_account(account)
            .filter(pk__in=list(ids))
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        return records_trash(COMPANY, rows=companies, by=by, source=source)
