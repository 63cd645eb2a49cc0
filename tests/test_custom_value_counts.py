"""The custom value index (accounts/custom_values.py): kept exact by every write path,
and what a list filtered by one custom field value counts instead of the records.

The counts are checked against COUNT(*) of the records themselves; the index against
the values the records hold, computed here in Python."""

import pytest
from django.apps import apps
from django.db import connection, transaction

from accounts import custom_values
from accounts.models import CustomValue
from accounts.services import account_create
from companies.models import Company
from contacts.models import Contact
from deals.models import Deal
from scaleout import nodes
from tests.factories import (
    AccountFactory,
    CompanyFactory,
    ContactFactory,
    CustomFieldDefinitionFactory,
    DealFactory,
    PipelineFactory,
)
from tests.queries import capture_queries
from tests.races import ROUNDS, own_client, together

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the index is kept on PostgreSQL only"
)

FACTORIES = {Contact: ContactFactory, Company: CompanyFactory, Deal: DealFactory}


def _maker(model, account):
    kwargs = {"account": account}
    if model is Deal:
        pipeline = PipelineFactory(account=account)
        kwargs |= {"pipeline": pipeline, "stage": pipeline.stages.first()}

    def make(build=False, **fields):
        factory = FACTORIES[model]
        return (factory.build if build else factory.create)(**kwargs, **fields)

    return make


def expected_index(model, account) -> set:
    """What the index must hold for the account's rows of `model`: computed from the
    records, independently of the triggers' SQL."""
    rows = model.objects.for_account(account).values_list("pk", "custom_fields")
    return {
        (pk, key, _canonical(value))
        for pk, fields in rows
        for key, value in (fields or {}).items()
        if custom_values.countable(value)
    }


def indexed(model, account) -> set:
    return {
        (record_id, key, _canonical(value))
        for record_id, key, value in CustomValue.objects.for_account(account)
        .filter(table_name=model._meta.db_table)
        .values_list("record_id", "key", "value")
    }


def _canonical(value):
    # 42 and 42.0 are one value to containment and to the index (jsonb equality).
    return (type(value) is bool, float(value)) if isinstance(value, int | float) else value


def true_count(model, account, key, value) -> int:
    """COUNT(*) of the records themselves (`pk__gte` keeps it off the index)."""
    return (
        model.objects.for_account(account)
        .filter(custom_fields__contains={key: value}, pk__gte=0)
        .count()
    )


def test_the_indexed_models_are_the_ones_with_custom_fields():
    indexed_models = {m for m in apps.get_models() if getattr(m, "custom_values_indexed", False)}
    assert indexed_models == set(FACTORIES)
    assert CustomValue._meta.db_table == custom_values.TABLE


@on_postgresql
@pytest.mark.parametrize("model", list(FACTORIES), ids=lambda m: m.__name__)
def test_the_index_follows_every_write_path(model):
    a, b = AccountFactory(), AccountFactory()
    in_a, in_b = _maker(model, a), _maker(model, b)
    first = in_a(custom_fields={"source": "web", "score": 42, "vip": True})
    second = in_a(custom_fields={"source": "web", "score": 42.0, "note": "x" * 500})
    in_b(custom_fields={"source": "web"})
    model.objects.bulk_create(
        [in_a(build=True, custom_fields={"source": s}) for s in ("ad", "web", "ad")]
    )
    first.custom_fields = {"source": "ad", "score": 7, "vip": True}
    first.save()
    model.objects.for_account(a).filter(pk=second.pk).update(custom_fields={"vip": False})
    model.objects.for_account(a).filter(custom_fields__contains={"source": "ad"}).update(
        custom_fields={"source": "fair", "score": 1}
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        in_a(custom_fields={"source": "web"})
        raise RuntimeError("roll back")
    first.delete()
    assert indexed(model, a) == expected_index(model, a)
    assert indexed(model, b) == expected_index(model, b)
    for key, value in [("source", "web"), ("source", "fair"), ("vip", False), ("score", 1)]:
        counted = model.objects.for_account(a).filter(custom_fields__contains={key: value})
        assert counted.count() == true_count(model, a, key, value)
    assert model.objects.for_account(a).filter(custom_fields__contains={"source": "fair"}).count()


@on_postgresql
def test_a_value_count_reads_the_index_not_the_records():
    account = AccountFactory()
    ContactFactory.create_batch(3, account=account, custom_fields={"source": "web"})
    ContactFactory(account=account, custom_fields={"source": "ad"})
    queryset = Contact.objects.for_account(account).filter(
        custom_fields__contains={"source": "web"}
    )
    with capture_queries() as ctx:
        assert queryset.count() == 3
    assert len(ctx.sql) == 1
    assert custom_values.TABLE in ctx.sql[0] and "contacts_contact" in ctx.sql[0]
    assert 'FROM "contacts_contact"' not in ctx.sql[0]


@on_postgresql
def test_the_count_is_an_index_only_scan():
    account = AccountFactory()
    ContactFactory.create_batch(3, account=account, custom_fields={"source": "web"})
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT count(*) FROM {custom_values.TABLE} WHERE account_id = %s "
            "AND table_name = 'contacts_contact' AND key = 'source' AND value = '\"web\"'",
            [account.pk],
        )
        plan = "\n".join(line for (line,) in cursor.fetchall())
    assert "Index Only Scan" in plan and "customvalue_unique" in plan, plan


@on_postgresql
def test_counts_the_index_cannot_answer_count_the_records():
    """Two values, a long string, another condition, an exclusion: COUNT(*) as before,
    and right. (SQLite has no JSON containment: its filters compare the key's value,
    customfields/filtering.py, and count the records.)"""
    account = AccountFactory()
    long_text = "é" * 150  # 300 bytes of UTF-8: longer than the index keeps
    ContactFactory(account=account, first_name="Ann", custom_fields={"s": "web", "t": long_text})
    ContactFactory(account=account, first_name="Bob", custom_fields={"s": "web", "t": "x"})
    mine = Contact.objects.for_account(account)
    for queryset, expected in [
        (mine.filter(custom_fields__contains={"s": "web", "t": "x"}), 1),
        (mine.filter(custom_fields__contains={"t": long_text}), 1),
        (mine.filter(custom_fields__contains={"s": "web"}, first_name="Ann"), 1),
        (mine.filter(custom_fields__contains={"s": "web"}).exclude(first_name="Ann"), 1),
        (mine.filter(custom_fields__contains={"s": "web"}).distinct(), 2),
    ]:
        with capture_queries() as ctx:
            assert queryset.count() == expected
        assert not ctx.matching(custom_values.TABLE)


@on_postgresql
@pytest.mark.parametrize(
    "value",
    ["web", "Ünïcödé ✓", 'with "quotes" and \\ and \n', "x" * 188, 0, -3.25, 2**53, 1e300, True],
)
def test_countable_values_are_the_indexed_ones(value):
    account = AccountFactory()
    ContactFactory(account=account, custom_fields={"k": value})
    assert custom_values.countable(value)
    assert indexed(Contact, account) == expected_index(Contact, account) != set()
    filtered = Contact.objects.for_account(account).filter(custom_fields__contains={"k": value})
    assert filtered.count() == 1


def test_values_the_index_leaves_out_are_not_countable():
    assert not custom_values.countable("x" * 300)
    assert not custom_values.countable(None)
    assert not custom_values.countable(float("nan"))
    assert not custom_values.countable(["web"])


@on_postgresql
def test_records_written_before_the_triggers_are_indexed_by_the_install():
    if nodes.has_extension(connection):
        pytest.skip("on Citus distribute_schema installs them (tests/test_citus_schema.py)")
    account = AccountFactory()

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    custom_values.uninstall(editor, "contacts_contact")
    ContactFactory.create_batch(2, account=account, custom_fields={"source": "web"})
    assert not indexed(Contact, account)
    custom_values.install(connection, "contacts_contact")
    assert custom_values.has_triggers(connection, "contacts_contact")
    assert indexed(Contact, account) == expected_index(Contact, account)
    assert len(indexed(Contact, account)) == 2


@on_postgresql
def test_deleting_an_account_leaves_no_values():
    account = account_create(name="Gone", username="gone", password="pw-gone-123")
    for model in FACTORIES:
        _maker(model, account)(custom_fields={"source": "web"})
    assert CustomValue.objects.for_account(account).count() == len(FACTORIES)
    account_id = account.pk
    account.delete()
    assert not CustomValue.objects.for_account(account_id).exists()


@on_postgresql
def test_the_api_list_counts_by_the_index_through_delete_restore_and_merge(owner):
    CustomFieldDefinitionFactory(
        account=owner.account, key="source", type="select", options=["web", "ad"]
    )
    ids = [
        owner.client.post(
            "/api/v1/crm/contacts/",
            {"first_name": f"C{n}", "custom_fields": {"source": "web"}},
            format="json",
        ).json()["id"]
        for n in range(4)
    ]

    def listed():
        with capture_queries() as ctx:
            body = owner.client.get("/api/v1/crm/contacts/?cf_source=web").json()
        assert ctx.matching(custom_values.TABLE), "the count did not read the index"
        assert body["count"] == true_count(Contact, owner.account, "source", "web")
        return body["count"]

    assert listed() == 4
    assert owner.client.delete(f"/api/v1/crm/contacts/{ids[0]}/").status_code == 204
    assert listed() == 3
    restored = owner.client.post(f"/api/v1/crm/trash/contacts/{ids[0]}/restore/")
    assert restored.status_code == 200, restored.content
    assert listed() == 4
    merged = owner.client.post(
        f"/api/v1/crm/contacts/{ids[1]}/merge/", {"other": ids[2]}, format="json"
    )
    assert merged.status_code == 200, merged.content
    assert listed() == 3
    patched = owner.client.patch(
        f"/api/v1/crm/contacts/{ids[3]}/", {"custom_fields": {"source": "ad"}}, format="json"
    )
    assert patched.status_code == 200, patched.content
    assert listed() == 2
    assert indexed(Contact, owner.account) == expected_index(Contact, owner.account)


@pytest.mark.django_db(transaction=True)
@on_postgresql
def test_concurrent_writes_of_one_record_leave_the_index_exact(owner):
    """Two PATCHes of one contact's value, released together, round after round, and
    two creates of the same value: the index holds what the records hold."""
    url = "/api/v1/crm/contacts/"
    contact = owner.client.post(
        url, {"first_name": "Race", "custom_fields": {"source": "web"}}, format="json"
    ).json()

    def patch(value):
        body = {"custom_fields": {"source": value}}
        return lambda: (
            own_client(owner).patch(f"{url}{contact['id']}/", body, format="json").status_code
        )

    def create():
        body = {"first_name": "Twin", "custom_fields": {"source": "web"}}
        return own_client(owner).post(url, body, format="json").status_code

    for round_number in range(ROUNDS):
        answers = together(patch(f"a{round_number}"), patch(f"b{round_number}"))
        assert answers == [200, 200], answers
        assert together(create, create) == [201, 201]
        assert indexed(Contact, owner.account) == expected_index(Contact, owner.account)
    assert (
        Contact.objects.for_account(owner.account)
        .filter(custom_fields__contains={"source": "web"})
        .count()
        == true_count(Contact, owner.account, "source", "web")
        == 2 * ROUNDS
    )
