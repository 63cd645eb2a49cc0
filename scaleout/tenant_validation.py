"""A foreign key between two accounts' records is validated within the record's account.

Django's `ForeignKey.validate()` (a model form's `full_clean`) checks that the target
exists with `SELECT 1 FROM target WHERE id = %s`, in every account. Two things are
wrong with that for us: an id of another account's row passes validation (the form's
scoped choices stop it today, but a model's `full_clean` would not), and on Citus the
query visits every shard. Here the check also requires the target to be in the
record's account, so another account's id is "not a valid choice" and the query reaches
one shard. Applied on every database, like scaleout/tenant_joins.py.
"""

from __future__ import annotations

from types import MethodType

from django.core import exceptions
from django.db import router
from django.db.models import ForeignKey

from scaleout.tenant_joins import tenant_foreign_keys


def _validate_in_account(field, value, model_instance):
    # A record not yet given its account (none of ours reaches validation so) is
    # checked as Django checks it.
    account_id = model_instance.__dict__.get("account_id")
    if account_id is None or value is None or field.remote_field.parent_link:
        return ForeignKey.validate(field, value, model_instance)
    super(ForeignKey, field).validate(value, model_instance)  # null, blank, choices
    target = field.remote_field.model
    using = router.db_for_read(target, instance=model_instance)
    queryset = (
        target._base_manager.using(using)
        .filter(account_id=account_id, **{field.remote_field.field_name: value})
        .complex_filter(field.get_limit_choices_to())
    )
    if not queryset.exists():
        raise exceptions.ValidationError(
            field.error_messages["invalid"],
            code="invalid",
            params={
                "model": target._meta.verbose_name,
                "pk": value,
                "field": field.remote_field.field_name,
                "value": value,
            },
        )


def install() -> None:
    for field in tenant_foreign_keys():
        field.validate = MethodType(_validate_in_account, field)
