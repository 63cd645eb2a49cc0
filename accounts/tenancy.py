"""The one tenancy mechanism: every CRM row carries its account, every query names it.

`AccountOwned` is the abstract base of every CRM model. Its manager returns an
`AccountScopedQuerySet`, which *fails closed*: a queryset that reaches the database
without being pinned to an account raises `UnscopedQueryError` instead of returning
every tenant's rows. A queryset is pinned when its WHERE clause requires
`account_id = <x>` (or `IN (...)`) at the top level, which `for_account()` does and
which Django's own uniqueness checks do when a constraint leads with `account`.
Anything that really needs every account says so: `dangerously_unscoped()`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models.expressions import Col
from django.db.models.fields.json import DataContains
from django.db.models.lookups import Exact, In
from django.db.models.sql.where import AND, WhereNode

from accounts.custom_values import countable, counted_value
from accounts.row_counts import counted


class UnscopedQueryError(RuntimeError):
    """A CRM query reached the database without naming its account."""


def _account_id(account) -> int:
    if account is None:
        raise ValueError("An account is required to scope a CRM query (got None).")
    return account.pk if isinstance(account, models.Model) else int(account)


def _pins_account(where: WhereNode, base_alias: str | None) -> bool:
    """True when a top-level AND branch requires account_id to be a given value."""
    if where.negated or (where.connector != AND and len(where.children) > 1):
        return False
    for child in where.children:
        if isinstance(child, WhereNode):
            if _pins_account(child, base_alias):
                return True
        elif (
            isinstance(child, Exact | In)
            and isinstance(child.lhs, Col)
            and (
                child.lhs.target.name == "account"
                and child.lhs.alias == base_alias
                and child.rhs is not None
            )
        ):
            return True
    return False


def pins_account(query) -> bool:
    """Whether a query's rows must all be of given accounts (`account_id = x` or
    `IN (...)` among the conditions every row meets)."""
    return _pins_account(query.where, query.base_table)


class AccountScopedQuerySet(models.QuerySet):
    _dangerously_unscoped = False

    def for_account(self, account) -> AccountScopedQuerySet:
        """Only the rows of `account` (an Account or its id). Refuses None."""
        return self.filter(account_id=_account_id(account))

    def for_accounts(self, accounts: Iterable) -> AccountScopedQuerySet:
        """Rows of any of `accounts` (for staff who belong to several)."""
        return self.filter(account_id__in=[_account_id(a) for a in accounts])

    def dangerously_unscoped(self) -> AccountScopedQuerySet:
        """Every account's rows. Only for superuser tools, migrations and commands."""
        clone = self._chain()
        clone._dangerously_unscoped = True
        return clone

    def _as_manager(cls):
        # Subclasses' managers (`ContactQuerySet.as_manager()`) are AccountScopedManagers
        # too, so their related managers filter by account (see there).
        manager = AccountScopedManager.from_queryset(cls)()
        manager._built_with_as_manager = True
        return manager

    _as_manager.queryset_only = True
    as_manager = classmethod(_as_manager)

    # -- the fail-closed check -------------------------------------------------
    def _clone(self):
        clone = super()._clone()
        clone._dangerously_unscoped = self._dangerously_unscoped
        return clone

    def _is_scoped(self) -> bool:
        if self._dangerously_unscoped or self.query.is_empty():
            return True
        # Related managers and prefetches of a CRM row hint at that row: they are
        # filtered on a foreign key to it, so they cannot reach another account.
        instance = self._hints.get("instance")
        if instance is not None and getattr(instance, "account_id", None) is not None:
            return True
        return pins_account(self.query)

    def _require_scope(self) -> None:
        if not self._is_scoped():
            raise UnscopedQueryError(
                f"{self.model.__name__} query without an account: use "
                f".for_account(account), or .dangerously_unscoped() if you really mean "
                f"every account."
            )

    def _fetch_all(self):
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def iterator(self, *args, **kwargs):
        self._require_scope()
        return super().iterator(*args, **kwargs)

    def count(self):
        if self._result_cache is None:
            kept = self.kept_count()
            if kept is not None:
                return kept
        return super().count()

    def kept_count(self) -> int | None:
        """The exact count from what triggers keep (a row counter, one row; or the
        custom value index, an index-only scan), when they answer this queryset; else
        None, and only COUNT(*) over the rows knows. A paginator can afford it whole."""
        self._require_scope()
        account_id = self._counted_account()
        if account_id is not None:
            return counted(self.model, account_id)
        value_count = self._counted_value()
        if value_count is not None:
            return counted_value(self.model, *value_count)
        return None

    def pinned_account(self) -> int | None:
        """The one account this queryset is filtered to (`account_id = x` among the
        conditions all rows must meet), else None."""
        where = self.query.where
        if where.negated or where.connector != "AND":
            return None
        for child in where.children:
            if (
                isinstance(child, Exact)
                and isinstance(child.lhs, Col)
                and child.lhs.target.name == "account"
                and child.lhs.alias == self.query.base_table
                and isinstance(child.rhs, int)
            ):
                return child.rhs
        return None

    def _plain_conditions(self) -> list | None:
        """The top-level AND conditions of a plain count (no DISTINCT, UNION, slice,
        grouping or aggregate), when a kept counter could answer it; else None."""
        query = self.query
        if self._dangerously_unscoped or query.is_empty():
            return None
        if (
            query.distinct
            or query.combinator
            or query.is_sliced
            or query.group_by is not None
            or query.where.negated
            or query.where.connector != AND
            or any(getattr(a, "contains_aggregate", False) for a in query.annotations.values())
        ):
            return None
        return list(query.where.children)

    def _is_account_condition(self, lookup) -> bool:
        return (
            isinstance(lookup, Exact)
            and isinstance(lookup.lhs, Col)
            and lookup.lhs.target.name == "account"
            and lookup.lhs.alias == self.query.base_table
            and isinstance(lookup.rhs, int)
        )

    def _counted_account(self) -> int | None:
        """The account whose whole table this is, when a trigger-kept counter
        (accounts/row_counts.py) answers count() exactly; else None."""
        if not self.model.row_counted:
            return None
        conditions = self._plain_conditions()
        if conditions is None or len(conditions) != 1:
            return None
        return conditions[0].rhs if self._is_account_condition(conditions[0]) else None

    def _counted_value(self) -> tuple[int, str, object] | None:
        """(account, key, value) when this is one account's rows whose custom_fields
        contain `{key: value}` and nothing else, which the trigger-kept value index
        (accounts/custom_values.py) counts exactly; else None."""
        if not self.model.custom_values_indexed:
            return None
        if connections[self.db].vendor != "postgresql":
            return None
        conditions = self._plain_conditions()
        if conditions is None or len(conditions) != 2:
            return None
        account = next((c for c in conditions if self._is_account_condition(c)), None)
        contains = next((c for c in conditions if isinstance(c, DataContains)), None)
        if account is None or contains is None:
            return None
        if not (
            isinstance(contains.lhs, Col)
            and contains.lhs.target.name == "custom_fields"
            and contains.lhs.alias == self.query.base_table
            and isinstance(contains.rhs, dict)
            and len(contains.rhs) == 1
        ):
            return None
        ((key, value),) = contains.rhs.items()
        if not isinstance(key, str) or not countable(value):
            return None
        return account.rhs, key, value

    def exists(self):
        if self._result_cache is None:
            self._require_scope()
        return super().exists()

    def aggregate(self, *args, **kwargs):
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs):
        self._require_scope()
        return super().update(**kwargs)

    def delete(self):
        self._require_scope()
        return super().delete()

    def in_bulk(self, *args, **kwargs):
        self._require_scope()
        return super().in_bulk(*args, **kwargs)

    def explain(self, *args, **kwargs):
        self._require_scope()
        return super().explain(*args, **kwargs)


class AccountScopedManager(models.Manager.from_queryset(AccountScopedQuerySet)):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Django's related managers (`company.contacts`, `contact.tags`) subclass the
        # default manager and filter by the row alone; they filter by its account too,
        # so on Citus they reach one shard; their prefetches by the accounts of the
        # rows they prefetch for.
        apply_rel_filters = cls.__dict__.get("_apply_rel_filters")
        get_prefetch_querysets = cls.__dict__.get("get_prefetch_querysets")
        if apply_rel_filters is None or get_prefetch_querysets is None:
            return

        def _apply_rel_filters(self, queryset):
            queryset = apply_rel_filters(self, queryset)
            account_id = self.instance.__dict__.get("account_id")
            return queryset if account_id is None else queryset.filter(account_id=account_id)

        def prefetch_querysets(self, instances, querysets=None):
            # A prefetch's rows belong to the accounts of the rows they are fetched for.
            accounts = {instance.__dict__.get("account_id") for instance in instances}
            if accounts and None not in accounts:
                queryset = querysets[0] if querysets else super(cls, self).get_queryset()
                querysets = [queryset.filter(account_id__in=sorted(accounts))]
            return get_prefetch_querysets(self, instances, querysets)

        cls._apply_rel_filters = _apply_rel_filters
        cls.get_prefetch_querysets = prefetch_querysets


class AccountOwned(models.Model):
    """Abstract base of every CRM model: the row belongs to exactly one account.

    Subclasses declare their own indexes and unique constraints, and every one of
    them leads with `account` (tests/test_schema_citus_ready.py reads the catalog),
    so the tables can later be distributed by `account_id`.
    """

    account = models.ForeignKey(
        "accounts.Account",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # every model's own indexes lead with account instead
    )

    objects = AccountScopedManager()

    # True where a migration installed accounts.row_counts triggers on the table.
    row_counted = False
    # True where a migration installed accounts.custom_values triggers on the table.
    custom_values_indexed = False

    class Meta:
        abstract = True

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        # A save's UPDATE names the row's account and never sets it again (a row does
        # not change account): on Citus that sends it to the account's shard alone,
        # where by `id` alone it visits every shard and setting account_id is refused.
        return super()._do_update(
            base_qs.filter(account_id=self.account_id),
            using,
            pk_val,
            [value for value in values if value[0].attname != "account_id"],
            update_fields,
            forced_update,
        )

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        # Reloaded by its account too, so on Citus the read reaches one shard.
        # (Read from __dict__: account_id itself may be the deferred field reloaded.)
        account_id = self.__dict__.get("account_id")
        if from_queryset is None and account_id is not None:
            from_queryset = self.__class__._base_manager.db_manager(
                using, hints={"instance": self}
            ).filter(account_id=account_id)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)

    def clean(self):
        super().clean()
        self.validate_same_account()

    def validate_same_account(self) -> None:
        """Refuse a foreign key to another account's row (used by forms and admin).

        Costs no query for related rows already loaded with their `account_id`: it
        compares them. One loaded without it, or not loaded, costs one query.
        """
        if self.account_id is None:
            return
        errors = {}
        for field in self._meta.concrete_fields:
            related = field.related_model
            if not (field.is_relation and related and issubclass(related, AccountOwned)):
                continue
            if field.name == "account" or getattr(self, field.attname) is None:
                continue
            try:
                target = getattr(self, field.name)
            except related.DoesNotExist:
                # Not loaded yet, it is fetched by this row's account too
                # (scaleout/tenant_joins.py): another account's id is not found.
                target = None
            if target is None or not self._same_account_as(target):
                errors[field.name] = "Pick a record of the same account."
        if errors:
            raise ValidationError(errors)

    def _same_account_as(self, target) -> bool:
        account_id = target.__dict__.get("account_id")
        if account_id is not None:
            return account_id == self.account_id
        # Loaded without its account (a form's `only("id", "title")` choices): one
        # query, by this row's account, rather than a reload of the target by id alone
        # (which on Citus visits every shard).
        manager = type(target)._base_manager.db_manager(self._state.db)
        return manager.filter(account_id=self.account_id, pk=target.pk).exists()
