"""Columns computed from other columns of the same row, kept in step on every path
into the table: `save()` (also with `update_fields`), `bulk_create`, `bulk_update`
and `update()`. A stale key would silently hide a duplicate, so no path may skip it.

A model lists what it derives, `derived_fields = {"name_key": ("first_name",
"last_name"), ...}`, and computes them in `derive_fields()`; its manager's queryset
mixes in `DerivedFieldsQuerySet`. `update()` of a source column cannot know the other
columns a key needs, so it re-reads the rows it changed and writes their keys: two
more queries, on a path the app itself does not use for these columns.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.db import models, transaction

_KEYS_WRITTEN: ContextVar[bool] = ContextVar("derived_keys_written", default=False)


def _sources(model) -> set[str]:
    return {name for names in model.derived_fields.values() for name in names}


def _touched(model, names) -> bool:
    return bool(_sources(model) & set(names))


class DerivedFields(models.Model):
    """Model mixin; see the module docstring."""

    derived_fields: dict[str, tuple[str, ...]] = {}

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.derive_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and _touched(type(self), update_fields):
            kwargs["update_fields"] = {*update_fields, *self.derived_fields}
        super().save(*args, **kwargs)

    def derive_fields(self) -> None:
        """Set every derived field from the row's current values."""
        raise NotImplementedError


class DerivedFieldsQuerySet(models.QuerySet):
    """The bulk paths of a `DerivedFields` model."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.derive_fields()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if _touched(self.model, fields):
            for obj in objs:
                obj.derive_fields()
            fields = [*fields, *(f for f in self.model.derived_fields if f not in fields)]
        # Django writes the batch with update(field=Case(...)): its keys are set above.
        token = _KEYS_WRITTEN.set(True)
        try:
            return super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _KEYS_WRITTEN.reset(token)

    def update(self, **kwargs):
        if _KEYS_WRITTEN.get() or not _touched(self.model, kwargs):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            # The rows by id first: the update may change what the filter matches.
            rows = list(self.values_list("account_id", "pk"))
            count = super().update(**kwargs)
            if rows:
                written = list(
                    self.model.objects.for_accounts({account for account, _pk in rows})
                    .filter(pk__in=[pk for _account, pk in rows])
                    .only("account_id", *_sources(self.model))
                )
                for obj in written:
                    obj.derive_fields()
                self.model.objects.for_accounts({account for account, _pk in rows}).bulk_update(
                    written, list(self.model.derived_fields)
                )
            return count
