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

from django.db import connections, transaction
from django.db.models import QuerySet, deletion
from django.db.models.sql import subqueries

from accounts.models import Account
from accounts.tenancy import AccountOwned, pins_account
from scaleout import nodes

# {model: account ids} of the rows the running collector deletes or updates.
_ACCOUNTS: ContextVar[dict | None] = ContextVar("relay_deleting_accounts", default=None)

_related_objects = deletion.Collector.related_objects
_collector_delete = deletion.Collector.delete
_delete_batch = subqueries.DeleteQuery.delete_batch
_update_batch = subqueries.UpdateQuery.update_batch


def _accounts(collector, model, objs) -> set | None:
    """The accounts `objs` (rows of `model`) belong to, or None when unknown.

    The collector loads related rows with only their keys (account_id deferred):
    those rows were found under `account_id IN (...)` (below), so their model's
    accounts were recorded then; reading the deferred field would cost a query a row."""
    recorded = collector.__dict__.setdefault("_relay_accounts", {})
    accounts = {obj.__dict__.get("account_id") for obj in objs}
    if None in accounts:
        if model not in recorded:
            return None
        accounts.discard(None)
        accounts |= recorded[model]
    return accounts or None


def related_objects(self, related_model, related_fields, objs):
    queryset = _related_objects(self, related_model, related_fields, objs)
    objs = list(objs)
    if not objs or not issubclass(related_model, AccountOwned):
        return queryset
    accounts = _accounts(self, type(objs[0]), objs)
    if accounts is None:
        return queryset
    self._relay_accounts.setdefault(related_model, set()).update(accounts)
    return queryset.filter(account_id__in=sorted(accounts))


def collector_delete(self):
    scope: dict = {}

    def add(model, objs):
        if not issubclass(model, AccountOwned) or not objs:
            return
        accounts = _accounts(self, model, objs)
        if accounts is None or (model in scope and scope[model] is None):
            scope[model] = None  # a row of unknown account: this model stays unscoped
        else:
            scope[model] = scope.get(model, set()) | accounts

    for model, instances in self.data.items():
        add(model, list(instances))
    for instances_list in self.field_updates.values():
        for instances in instances_list:
            if isinstance(instances, list | set) and instances:
                objs = list(instances)
                add(type(objs[0]), objs)
    token = _ACCOUNTS.set(scope)
    try:
        with transaction.atomic(using=self.using, savepoint=False):
            _split_by_shard(self)
            return _collector_delete(self)
    finally:
        _ACCOUNTS.reset(token)


def _unpinned(queryset) -> bool:
    """A lazy queryset of account rows that names no account (found from a user)."""
    return (
        isinstance(queryset, QuerySet)
        and queryset._result_cache is None
        and issubclass(queryset.model, AccountOwned)
        and not pins_account(queryset.query)
    )


def _split_by_shard(collector) -> None:
    """On Citus, the collector's statements on account tables that name no account
    are run one shard at a time: its fast deletes become one per shard, and its
    nulling updates (which Django would OR into one statement) are run here, per
    shard, and dropped from the collector. Elsewhere nothing changes."""
    connection = connections[collector.using]
    groups: dict = {}

    def shard_groups(model):
        if model not in groups:
            groups[model] = nodes.account_shard_groups(
                connection, model._meta.db_table, Account._meta.db_table
            )
        return groups[model]

    fast_deletes = []
    for queryset in collector.fast_deletes:
        split = _unpinned(queryset) and shard_groups(queryset.model)
        if split:
            fast_deletes += [queryset.filter(account_id__in=group) for group in split]
        else:
            fast_deletes.append(queryset)
    collector.fast_deletes = fast_deletes

    for (field, value), instances_list in collector.field_updates.items():
        kept = []
        for instances in instances_list:
            split = _unpinned(instances) and shard_groups(instances.model)
            if not split:
                kept.append(instances)
                continue
            for group in split:
                instances.filter(account_id__in=group).update(**{field.name: value})
        instances_list[:] = kept


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
