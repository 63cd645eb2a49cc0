"""Contact search: every word must match the start of a name, or a part of the email.

On PostgreSQL it is a prefix full-text query over a GIN index of
`(account_id, to_tsvector('simple', first name, last name, email split at @ and .))`;
the expression below is the one indexed, so the planner can use it. On SQLite it is
an equivalent chain of `istartswith` lookups.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, Value
from django.db.models.functions import Replace

SEARCH_VECTOR = SearchVector(
    "first_name",
    "last_name",
    Replace(Replace("email", Value("@"), Value(" ")), Value("."), Value(" ")),
    config="simple",
)

_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(text: str) -> list[str]:
    """The words of a search box, lower-cased; punctuation separates words."""
    return _WORD.findall(text.lower())[:10]


def prefix_tsquery(words: list[str]) -> SearchQuery:
    """`ali smi` → `'ali':* & 'smi':*` (words are \\w+ only, so nothing to escape)."""
    return SearchQuery(
        " & ".join(f"'{word}':*" for word in words), search_type="raw", config="simple"
    )


def _word_matches(word: str) -> Q:
    """A word starts a name, a word inside a name, or a part of the email."""
    q = Q(email__istartswith=word) | Q(email__icontains=f"@{word}") | Q(
        email__icontains=f".{word}"
    )
    for field in ("first_name", "last_name"):
        q |= Q(**{f"{field}__istartswith": word})
        for separator in (" ", "-", "'", "."):
            q |= Q(**{f"{field}__icontains": f"{separator}{word}"})
    return q


def search_contacts(queryset, text: str):
    words = search_words(text)
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.alias(search_vector=SEARCH_VECTOR).filter(
            search_vector=prefix_tsquery(words)
        )
    for word in words:
        queryset = queryset.filter(_word_matches(word))
    return queryset
