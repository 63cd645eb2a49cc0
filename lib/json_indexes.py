"""The index behind custom field filters: JSON containment within one account."""

from django.contrib.postgres.indexes import GinIndex
from django.db.backends.ddl_references import Statement


class CustomFieldsIndex(GinIndex):
    """GIN over `(account_id, custom_fields jsonb_path_ops)`, on PostgreSQL only.

    It answers `account_id = x AND custom_fields @> '{"key": value}'` (the `cf_<key>=`
    list filters, customfields/filtering.py); `jsonb_path_ops` indexes containment
    alone and is a third of `jsonb_ops`' size. The account column needs btree_gin
    (installed by the first migrations of companies, contacts and deals). SQLite has
    no GIN: there it is a no-op statement, as `lib.search.SearchIndex` is.
    """

    def __init__(self, *, name: str, column: str = "custom_fields"):
        # int8_ops is btree_gin's operator class for the bigint account_id.
        super().__init__(
            fields=["account", column], opclasses=["int8_ops", "jsonb_path_ops"], name=name
        )

    def deconstruct(self):
        path, _args, kwargs = super().deconstruct()
        kwargs = {"name": self.name}
        if self.fields[1] != "custom_fields":
            kwargs["column"] = self.fields[1]
        return path, (), kwargs

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Statement("SELECT 1")
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Statement("SELECT 1")
        return super().remove_sql(model, schema_editor, **kwargs)
