"""Joins between two accounts' tables also match on account_id.

Django joins a foreign key on `id` alone (`contact.company_id = company.id`). On Citus
that join does not show the two rows share a shard, so it is planned as a
repartition join across every shard. With `account_id = account_id` added to the ON
clause of every join between two `AccountOwned` tables, Citus sees a co-located join,
and with the query's own `account_id = x` it runs on one shard. Likewise a foreign
key followed from a row (`deal.stage`) is fetched by id and by the row's account. The same idea as
Citus's django-multitenant. The condition is always true for our data (a record only
ever points at records of its own account), so it is applied on every database: one
SQL shape everywhere, exercised by every suite; the models are unchanged.
"""

from __future__ import annotations

from types import MethodType

from django.apps import apps
from django.db.models import ForeignKey
from django.db.models.expressions import Col
from django.db.models.lookups import Exact

from accounts.tenancy import AccountOwned


def _same_account(field, alias, related_alias):
    # Without both aliases (Django pushing a join down into a subquery) there is no
    # pair to compare; the subquery still carries its own account filter.
    if alias is None or related_alias is None:
        return None
    account = field.model._meta.get_field("account")
    return Exact(Col(alias, account), Col(related_alias, account))


def _same_account_as(field, instance):
    # `deal.stage` fetches the stage by id and by the deal's account.
    account_id = instance.__dict__.get("account_id")  # never a query for a deferred one
    return {} if account_id is None else {"account_id": account_id}


def tenant_foreign_keys():
    """Foreign keys from one account-owned model to another (not to Account itself)."""
    for model in apps.get_models():
        if not issubclass(model, AccountOwned):
            continue
        for field in model._meta.get_fields():
            if (
                isinstance(field, ForeignKey)
                and field.model is model
                and issubclass(field.related_model, AccountOwned)
            ):
                yield field


def install() -> None:
    for field in tenant_foreign_keys():
        field.get_extra_restriction = MethodType(_same_account, field)
        field.get_extra_descriptor_filter = MethodType(_same_account_as, field)
