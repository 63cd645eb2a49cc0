"""Per-account row counters (accounts/row_counts.py): exact on every write path, and
what an unfiltered list's `count` reads instead of COUNT(*)."""

import pytest
from django.apps import apps
from django.db import connection, transaction

from accounts import row_counts
from accounts.models import RowCount
from accounts.services import account_create
from activities.models import Activity
from companies.models import Company
from contacts.models import Contact
from deals.models import Deal
from notes.models import Note
from scaleout import nodes
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
    PipelineFactory,
)
from tests.queries import assert_queries, capture_queries

FACTORIES = {
    Contact: ContactFactory,
    Company: CompanyFactory,
    Deal: DealFactory,
    Activity: ActivityFactory,
    Note: NoteFactory,
}


def real_count(model, account):
    return model.objects.dangerously_unscoped().filter(account=account).count()


def assert_exact(model, *accounts):
    for account in accounts:
        assert model.objects.for_account(account).count() == real_count(model, account)


def test_the_triggers_and_reads_use_the_row_count_models_table():
    # row_counts names the table itself so as not to import the models (an import cycle).
    assert RowCount._meta.db_table == row_counts.COUNTER


def test_the_big_lists_are_counted():
    counted = {m for m in apps.get_models() if getattr(m, "row_counted", False)}
    assert counted == set(FACTORIES)


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(FACTORIES), ids=lambda m: m.__name__)
def test_counter_follows_every_write_path(model):
    a, b = AccountFactory(), AccountFactory()
    in_a, in_b = _maker(model, a), _maker(model, b)
    assert model.objects.for_account(a).count() == 0
    rows = [in_a() for _ in range(3)]
    in_b()
    assert model.objects.for_account(a).count() == 3
    assert model.objects.for_account(b).count() == 1

    # bulk_create: one statement, many rows
    model.objects.bulk_create([in_a(build=True) for _ in range(5)])
    assert model.objects.for_account(a).count() == 8

    rows[0].delete()
    assert model.objects.for_account(a).count() == 7
    model.objects.for_account(a).filter(pk=rows[1].pk).delete()
    assert model.objects.for_account(a).count() == 6

    with pytest.raises(RuntimeError), transaction.atomic():
        in_a()
        raise RuntimeError("roll back")
    assert model.objects.for_account(a).count() == 6

    assert_exact(model, a, b)


def _maker(model, account):
    """Makes rows of `model` in `account` (deals in one pipeline of that account)."""
    kwargs = {"account": account}
    if model is Deal:
        pipeline = PipelineFactory(account=account)
        kwargs |= {"pipeline": pipeline, "stage": pipeline.stages.first()}
    factory = FACTORIES[model]

    def make(build=False):
        return factory.build(**kwargs) if build else factory.create(**kwargs)

    return make


@pytest.mark.django_db
def test_unfiltered_count_reads_the_counter_not_the_table():
    account = AccountFactory()
    ContactFactory.create_batch(2, account=account)
    with assert_queries(1) as ctx:
        assert Contact.objects.for_account(account).count() == 2
    assert RowCount._meta.db_table in ctx.sql[0]
    assert 'FROM "contacts_contact"' not in ctx.sql[0]


@pytest.mark.django_db
def test_filtered_counts_still_count_the_rows():
    account = AccountFactory()
    ContactFactory.create_batch(2, account=account, first_name="Ann")
    ContactFactory(account=account, first_name="Bob")
    for queryset, expected in [
        (Contact.objects.for_account(account).filter(first_name="Ann"), 2),
        (Contact.objects.for_account(account).exclude(first_name="Ann"), 1),
        (Contact.objects.for_account(account).distinct(), 3),
        (Contact.objects.for_account(account)[:2], 2),
        (Contact.objects.for_account(account).none(), 0),
        (Contact.objects.for_accounts([account]), 3),
    ]:
        with capture_queries() as ctx:
            assert queryset.count() == expected
        assert not ctx.matching(RowCount._meta.db_table)


@pytest.mark.django_db
def test_a_counter_drift_shows_in_the_list_count(owner):
    """The API's `count` comes from the counter: proof that the list uses it."""
    ContactFactory.create_batch(2, account=owner.account)
    RowCount.objects.for_account(owner.account).filter(table_name="contacts_contact").update(n=41)
    assert owner.client.get("/api/v1/crm/contacts/").json()["count"] == 41
    row_counts.recount("contacts_contact")
    assert owner.client.get("/api/v1/crm/contacts/").json()["count"] == 2
    assert owner.client.get("/api/v1/crm/contacts/?search=zzz").json()["count"] == 0


@pytest.mark.django_db
def test_api_creates_and_deletes_keep_the_count(owner):
    for n in range(3):
        response = owner.client.post(
            "/api/v1/crm/contacts/", {"first_name": f"C{n}"}, format="json"
        )
        assert response.status_code == 201
    response = owner.client.post(
        "/api/v1/crm/contacts/bulk-import/",
        {"contacts": [{"first_name": "Bulk", "email": f"b{n}@example.com"} for n in range(4)]},
        format="json",
    )
    assert response.status_code in (200, 201), response.content
    contact = Contact.objects.for_account(owner.account).first()
    assert owner.client.delete(f"/api/v1/crm/contacts/{contact.pk}/").status_code == 204
    assert owner.client.get("/api/v1/crm/contacts/").json()["count"] == 6
    assert_exact(Contact, owner.account)


@pytest.mark.django_db
def test_moving_rows_between_accounts_moves_their_count():
    if nodes.has_extension(connection):
        pytest.skip("Citus refuses to change a row's distribution column (account_id)")
    a, b = AccountFactory(), AccountFactory()
    contact = ContactFactory(account=a)
    Contact.objects.for_account(a).filter(pk=contact.pk).update(account=b)
    assert Contact.objects.for_account(a).count() == 0
    assert Contact.objects.for_account(b).count() == 1
    assert_exact(Contact, a, b)


@pytest.mark.django_db
def test_deleting_an_account_with_rows_leaves_no_counters():
    account = account_create(name="Gone", username="gone", password="pw-gone-123")
    for model in FACTORIES:
        make = _maker(model, account)
        make(), make()
    assert RowCount.objects.for_account(account).count() == len(FACTORIES)
    account_id = account.pk
    account.delete()
    assert not RowCount.objects.for_account(account_id).exists()


@pytest.mark.django_db
def test_a_pipeline_with_deals_still_cannot_be_deleted_directly():
    from django.db.models import RestrictedError

    deal = DealFactory()
    with pytest.raises(RestrictedError):
        deal.pipeline.delete()
    with pytest.raises(RestrictedError):
        deal.stage.delete()
    assert Deal.objects.for_account(deal.account).filter(pk=deal.pk).exists()


@pytest.mark.django_db
def test_every_counted_table_has_its_triggers():
    """SQLite drops a table's triggers when a migration alters a column; post_migrate
    puts them back (accounts.row_counts.ensure_installed)."""
    for model in row_counts.counted_models():
        assert row_counts.has_triggers(connection, model._meta.db_table), model


@pytest.mark.django_db
def test_lost_triggers_are_put_back_and_the_table_recounted():
    if nodes.has_extension(connection):
        pytest.skip("on Citus distribute_schema puts them back (tests/test_citus_schema.py)")
    account = AccountFactory()
    ContactFactory.create_batch(2, account=account)
    row_counts.uninstall_triggers(connection, "contacts_contact")
    ContactFactory(account=account)  # not counted: no trigger
    assert Contact.objects.for_account(account).count() == 2
    row_counts.ensure_installed()
    assert row_counts.has_triggers(connection, "contacts_contact")
    assert Contact.objects.for_account(account).count() == 3
    ContactFactory(account=account)
    assert Contact.objects.for_account(account).count() == 4
