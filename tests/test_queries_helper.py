"""tests/queries.py: a query count that fails shows every statement, numbered."""

import pytest

from accounts.models import Account
from tests.queries import assert_queries, assert_same_count, capture_queries

pytestmark = pytest.mark.django_db


def two_queries():
    Account.objects.filter(name="a").exists()
    Account.objects.filter(name="b").exists()


def test_a_count_that_matches_passes_and_keeps_the_statements():
    with assert_queries(2) as captured:
        two_queries()
    assert len(captured) == 2 and len(captured.matching("accounts_account")) == 2


def test_a_wrong_count_fails_listing_every_statement_numbered():
    with pytest.raises(pytest.fail.Exception) as failed, assert_queries(1):
        two_queries()
    message = str(failed.value)
    assert message.startswith("2 queries, expected 1:")
    assert "  1. SELECT" in message and "  2. SELECT" in message


def test_a_ceiling_fails_only_above_it():
    with assert_queries(at_most=2):
        two_queries()
    too_many = pytest.raises(pytest.fail.Exception, match="3 queries, expected at most 2")
    with too_many, assert_queries(at_most=2):
        two_queries()
        Account.objects.count()


def test_counts_that_grow_with_the_data_fail_listing_both_runs():
    with capture_queries() as small:
        two_queries()
    with capture_queries() as large:
        two_queries()
    assert_same_count(small, large, at_most=2)
    with capture_queries() as larger:
        two_queries()
        Account.objects.count()
    with pytest.raises(pytest.fail.Exception) as failed:
        assert_same_count(small, larger)
    assert "2 queries on the small data, 3 on the large" in str(failed.value)
    assert "Large:\n  1. SELECT" in str(failed.value)


def test_it_asks_for_exactly_or_at_most_not_both():
    with pytest.raises(TypeError), assert_queries(1, at_most=2):
        pass
