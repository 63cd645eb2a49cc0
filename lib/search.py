"""Prefix search shared by every searchable CRM model.

Every word of the search box must match the start of a word of the record. On
PostgreSQL that is a prefix full-text query (`'ali':* & 'smi':*`) over a GIN index of
`(account_id, <the model's tsvector expression>)`: the model declares the expression
once and both its index and its queries use it, so the planner can match them. On
SQLite it is an equivalent chain of LIKE lookups.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.backends.ddl_references import Statement
from django.db.models import CharField, DateTimeField, F, Index, Q, Value
from django.db.models.functions import Collate, Concat

_WORD = re.compile(r"\w+", re.UNICODE)
_SEPARATORS = (" ", "-", "'", ".", "@", ">", "\n")  # ">": a word right after a tag


def search_words(text: str) -> list[str]:
    """The words of a search box, lower-cased; punctuation separates words."""
    return _WORD.findall((text or "").lower())[:10]


def typed_text(text: str) -> str:
    """What was typed, lower-cased with runs of spaces made one: a picker key's form."""
    return " ".join((text or "").lower().split())


def prefix_tsquery(words: list[str]) -> SearchQuery:
    """`ali smi` → `'ali':* & 'smi':*` (words are \\w+ only, so nothing to escape)."""
    return SearchQuery(
        " & ".join(f"'{word}':*" for word in words), search_type="raw", config="simple"
    )


class SearchIndex(GinIndex):
    """The GIN index behind a model's search, on PostgreSQL only.

    SQLite has no GIN indexes or tsvector, and searches there with LIKE instead, so
    on SQLite this index is a no-op statement, including when SQLite rebuilds a table
    during a migration (it re-creates every index the model declares).
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Statement("SELECT 1")
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Statement("SELECT 1")
        return super().remove_sql(model, schema_editor, **kwargs)


@dataclass(frozen=True)
class PrefixSearch:
    """How one model is searched: its tsvector and the text columns behind it."""

    vector: SearchVector
    fields: tuple[str, ...]

    def _word_matches(self, word: str) -> Q:
        q = Q()
        for field in self.fields:
            q |= Q(**{f"{field}__istartswith": word})
            for separator in _SEPARATORS:
                q |= Q(**{f"{field}__icontains": f"{separator}{word}"})
        return q

    def filter(self, queryset, text: str):
        words = search_words(text)
        if not words:
            return queryset
        if connection.vendor == "postgresql":
            return queryset.alias(search_vector=self.vector).filter(
                search_vector=prefix_tsquery(words)
            )
        for word in words:
            queryset = queryset.filter(self._word_matches(word))
        return queryset


def order_hits_by_sorting(queryset):
    """The same ORDER BY, written so PostgreSQL sorts the search hits.

    With `LIMIT 20`, the planner otherwise walks the (account, last_name, ...) index
    and tests every row against the tsquery, assuming hits are spread evenly through
    the alphabet. They are not ("smi" hits cluster under S): measured at 850 ms on
    300k contacts, against 16 ms for the GIN bitmap scan plus a sort of the hits
    (bench/contact_search.py). Expressions over the columns hide the index's order.
    """
    if connection.vendor != "postgresql":
        return queryset
    terms = []
    for term in queryset.query.order_by:
        if not isinstance(term, str):
            terms.append(term)
            continue
        descending, name = term.startswith("-"), term.lstrip("-")
        field = queryset.model._meta.get_field("id" if name == "pk" else name)
        if isinstance(field, CharField):
            expression = Concat(F(name), Value(""), output_field=CharField())
        elif isinstance(field, DateTimeField):
            expression = F(name) + Value(dt.timedelta(0))
        else:
            expression = F(name)
        terms.append(expression.desc() if descending else expression.asc())
    return queryset.order_by(*terms)


class PrefixIndex(Index):
    """A btree index of `(account, key COLLATE "C", id)`, PostgreSQL only: the index of
    a picker's key (`prefix_hits`).

    In the "C" collation (bytes order) a prefix is one range of the index whatever the
    database's own collation, and the same order serves ORDER BY: a keystroke is an
    index range scan read in order that stops after the first rows, however many rows
    match. SQLite, which has no "C" collation, gets a no-op (as `SearchIndex`).
    """

    def __init__(self, account, key, *, name):
        super().__init__(account, Collate(key, "C"), F("id"), name=name)

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Statement("SELECT 1")
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Statement("SELECT 1")
        return super().remove_sql(model, schema_editor, **kwargs)

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        account, key, _id = args
        return path, (account, key.get_source_expressions()[0]), kwargs


def prefix_hits(queryset, keys: dict, text: str, *, limit: int) -> list:
    """The first `limit` rows whose key starts with `text`, the keys tried in order.

    `keys` maps an alias to `(expression, fold)`: the key of a `PrefixIndex` and how
    the typed text is brought to its form (lower-cased, accents dropped...). One query
    per key (always all of them, so the count is the same for every text), each an
    index range scan in the key's order with LIMIT: the cost does not grow with the
    account's rows nor with how many rows match, the first rows of "a" cost what the
    first rows of "annabel" do. A row found by an earlier key keeps that place. Text
    that folds to nothing matches every row: the first key's first rows, one query.
    """
    postgresql = connection.vendor == "postgresql"
    found: dict = {}
    for alias, (expression, fold) in keys.items():
        prefix = fold(text or "")
        # The index's own expression, so the planner matches it (SQLite: plain text).
        key = Collate(expression, "C") if postgresql else expression
        rows = queryset.alias(**{alias: key})
        if prefix:
            rows = rows.filter(**{f"{alias}__startswith": prefix})
        for row in rows.order_by(alias, "pk")[:limit]:
            found.setdefault(row.pk, row)
        if not prefix:
            break
    return list(found.values())[:limit]
