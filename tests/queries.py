"""Counting the SQL a block runs, in one place, so every failure lists the statements.

    with assert_queries(2):                  # exactly two
        ...
    with assert_queries(at_most=4):          # a ceiling
        ...
    with capture_queries() as queries:       # to read them: len(queries), queries.sql
        ...
    assert_same_count(small, large)          # a page at two data sizes (two captures)

On failure each prints every statement it saw, numbered, so an N+1 shows itself in
the test's output instead of only its count (Zulip's `assert_length` habit).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext


class CapturedQueries(CaptureQueriesContext):
    """The statements run while it is open; `len()` counts them, `str()` lists them."""

    @property
    def sql(self) -> list[str]:
        return [query["sql"] for query in self.captured_queries]

    def matching(self, text: str) -> list[str]:
        """The statements that contain `text`."""
        return [sql for sql in self.sql if text in sql]

    def __str__(self) -> str:
        return numbered(self.sql)


def numbered(statements: list[str]) -> str:
    return "\n".join(f"{number:>3}. {sql}" for number, sql in enumerate(statements, 1))


def capture_queries(using: str = "default") -> CapturedQueries:
    """A context manager recording the statements run on `using` inside it."""
    return CapturedQueries(connections[using])


@contextmanager
def assert_queries(
    exactly: int | None = None, *, at_most: int | None = None
) -> Iterator[CapturedQueries]:
    """Fails when the block runs other than `exactly` statements (or more than
    `at_most`), listing every statement it ran."""
    if (exactly is None) == (at_most is None):
        raise TypeError("Give either exactly or at_most.")
    with capture_queries() as captured:
        yield captured
    count = len(captured)
    if exactly is not None and count != exactly:
        pytest.fail(f"{count} queries, expected {exactly}:\n{captured}", pytrace=False)
    if at_most is not None and count > at_most:
        pytest.fail(f"{count} queries, expected at most {at_most}:\n{captured}", pytrace=False)


def assert_same_count(
    small: CapturedQueries, large: CapturedQueries, *, at_most: int | None = None
) -> None:
    """The same work on little and on more data ran as many statements (and no more
    than `at_most`); on failure lists both runs."""
    too_many = at_most is not None and len(large) > at_most
    if len(small) != len(large) or too_many:
        ceiling = f" (at most {at_most})" if at_most is not None else ""
        pytest.fail(
            f"{len(small)} queries on the small data, {len(large)} on the large{ceiling}.\n"
            f"Small:\n{small}\nLarge:\n{large}",
            pytrace=False,
        )
