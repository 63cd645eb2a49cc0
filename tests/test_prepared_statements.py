"""On PostgreSQL, a query a connection runs often is prepared once, not planned each time."""

import pytest
from django.db import connection

from accounts.models import Account

pytestmark = pytest.mark.django_db


def prepared_statements_naming(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{table}%"]
        )
        return cursor.fetchone()[0]


def test_a_query_run_often_becomes_a_prepared_statement():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements")
    assert connection.settings_dict["OPTIONS"]["server_side_binding"] is True
    before = prepared_statements_naming("accounts_account")
    for pk in range(1, 7):  # psycopg prepares a statement on its 5th run
        list(Account.objects.filter(pk=pk))
    assert prepared_statements_naming("accounts_account") == before + 1
