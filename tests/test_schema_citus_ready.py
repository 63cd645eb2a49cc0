"""Every CRM table is ready to be distributed by account_id (PostgreSQL + Citus).

Reads PostgreSQL's catalog: every unique constraint and every index on a table of
an `AccountOwned` model must lead with `account_id`. The primary key is the one
exception, recorded here on purpose: Django 5.2 cannot point foreign keys at a
composite primary key, so tables keep a surrogate `id` until the Citus move adds
`(account_id, id)` keys (see README, "Scale path").
"""

import pytest
from django.apps import apps
from django.db import connection

from accounts.tenancy import AccountOwned

pytestmark = pytest.mark.django_db


def crm_tables():
    return sorted(
        model._meta.db_table for model in apps.get_models() if issubclass(model, AccountOwned)
    )


def index_leading_columns(table):
    """(index name, first column, is primary) for every index on `table`."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname,
                   CASE WHEN ix.indkey[0] = 0 THEN NULL ELSE a.attname END,
                   ix.indisprimary
            FROM pg_index ix
            JOIN pg_class t ON t.oid = ix.indrelid
            JOIN pg_class i ON i.oid = ix.indexrelid
            LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ix.indkey[0]
            WHERE t.relname = %s
            """,
            [table],
        )
        return cursor.fetchall()


def unique_constraint_columns(table):
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.conname, c.contype, a.attname
            FROM pg_constraint c
            JOIN pg_class t ON t.oid = c.conrelid
            LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1]
            WHERE t.relname = %s AND c.contype IN ('u', 'p', 'x')
            """,
            [table],
        )
        return cursor.fetchall()


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's catalog")


def test_there_are_crm_tables_to_check():
    assert {"contacts_contact", "contacts_contacttag", "accounts_tag"} <= set(crm_tables())


@pytest.mark.parametrize("table", crm_tables())
def test_every_index_leads_with_account(table):
    offenders = [
        name
        for name, first_column, is_primary in index_leading_columns(table)
        if not is_primary and first_column != "account_id"
    ]
    assert offenders == [], f"{table}: indexes not led by account_id: {offenders}"


@pytest.mark.parametrize("table", crm_tables())
def test_every_unique_constraint_leads_with_account(table):
    offenders = [
        name
        for name, kind, first_column in unique_constraint_columns(table)
        if kind != "p" and first_column != "account_id"
    ]
    assert offenders == [], f"{table}: unique constraints not led by account_id: {offenders}"


@pytest.mark.parametrize("table", crm_tables())
def test_account_is_indexed(table):
    leading = {first for _name, first, _primary in index_leading_columns(table)}
    assert "account_id" in leading, f"{table} has no index leading with account_id"


def test_the_check_catches_an_index_not_led_by_account():
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX bad_contact_email ON contacts_contact (email)")
    leading = {name: first for name, first, _primary in index_leading_columns("contacts_contact")}
    assert leading["bad_contact_email"] == "email"
