"""Deletes of account records name their account in every statement.

Django's deletion collector finds related rows by `company_id IN (...)` and deletes
or nulls the collected rows by `id IN (...)`: on Citus each of those visits every
shard. While a collector deletes, the accounts of the rows it holds are known; these
patches add `account_id IN (those accounts)` to the collector's lookups of related
account rows and to its batch deletes and updates, so each statement reaches the
account's shard. Always true for our data (a record only ever points at records of
its own account), so applied on every database, like scaleout/tenant_joins.py.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.db.models import deletion
from django.db.models.sql import subqueries

from accounts.tenancy import AccountOwned

# {model: account ids} of the rows the running collector deletes or updates.
_ACCOUNTS: ContextVar[dict | None] = ContextVar("relay_deleting_accounts", default=None)

_related_objects = deletion.Collector.related_objects
_collector_delete = deletion.Collector.delete
_delete_batch = subqueries.DeleteQuery.delete_batch
_update_batch = subqueries.UpdateQuery.update_batch


def _accounts_of(objs) -> set | None:
    accounts = {getattr(obj, "account_id", None) for obj in objs}
    return None if not accounts or None in accounts else accounts


def related_objects(self, related_model, related_fields, objs):
    queryset = _related_objects(self, related_model, related_fields, objs)
    accounts = _accounts_of(objs) if issubclass(related_model, AccountOwned) else None
    return queryset.filter(account_id__in=accounts) if accounts else queryset


def collector_delete(self):
    scope: dict = {}
    for model, instances in self.data.items():
        if issubclass(model, AccountOwned):
            scope.setdefault(model, set()).update(obj.account_id for obj in instances)
    for instances_list in self.field_updates.values():
        for instances in instances_list:
            if isinstance(instances, list | set) and instances:
                model = next(iter(instances)).__class__
                if issubclass(model, AccountOwned):
                    scope.setdefault(model, set()).update(obj.account_id for obj in instances)
    token = _ACCOUNTS.set(scope)
    try:
        return _collector_delete(self)
    finally:
        _ACCOUNTS.reset(token)


def _scoped(query, run):
    """Run one of Django's batch statements with the account filter added after each
    of its `clear_where()` calls (one per batch of ids)."""
    accounts = (_ACCOUNTS.get() or {}).get(query.model)
    if not accounts:
        return run()
    clear_where = query.clear_where

    def clear_where_keeping_account():
        clear_where()
        query.add_filter("account_id__in", sorted(accounts))

    query.clear_where = clear_where_keeping_account
    try:
        return run()
    finally:
        del query.clear_where


def delete_batch(self, pk_list, using):
    return _scoped(self, lambda: _delete_batch(self, pk_list, using))


def update_batch(self, pk_list, values, using):
    return _scoped(self, lambda: _update_batch(self, pk_list, values, using))


def install() -> None:
    deletion.Collector.related_objects = related_objects
    deletion.Collector.delete = collector_delete
    subqueries.DeleteQuery.delete_batch = delete_batch
    subqueries.UpdateQuery.update_batch = update_batch
