"""The CSV import's state machine: every status change is a compare-and-set, so a
click that loses a race is told so, and never silently undoes the one that won."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from contacts.imports import CheckOutcome, guess_mapping, read_csv
from contacts.models import Contact, ContactImport
from contacts.tasks import (
    contact_import_cancel,
    contact_import_queue_check,
    contact_import_queue_write,
    write_contact_import,
)

Status = ContactImport.Status
TEXT = "First name,Email\nAda,ada@example.com\nGrace,grace@example.com\n"
PASSED = CheckOutcome(created=2)
FAILED = CheckOutcome(errors=[{"row": 2, "messages": ["bad"]}])
# Each action of the state machine through the queryset method that applies it.
ACTIONS = {
    "replace_file": lambda rows, pk: rows.replace_file(pk, file_name="new.csv"),
    "queue_check": lambda rows, pk: rows.queue_check(pk) is not None,
    "pass_check": lambda rows, pk: rows.finish_check(pk, check_run=0, outcome=PASSED, row_count=2),
    "find_errors": lambda rows, pk: rows.finish_check(pk, check_run=0, outcome=FAILED, row_count=2),
    "reject_write": lambda rows, pk: rows.reject_write(pk, errors=FAILED.errors, problem="x"),
    "fail_check": lambda rows, pk: rows.fail_check(pk, check_run=0, problem="crashed"),
    "queue_write": lambda rows, pk: rows.queue_write(pk),
    "finish_write": lambda rows, pk: rows.finish_write(pk, outcome=PASSED, row_count=2),
    "fail_write": lambda rows, pk: rows.fail_write(pk, problem="crashed"),
    "cancel": lambda rows, pk: rows.cancel(pk),
    "queue_undo": lambda rows, pk: rows.queue_undo(pk),
    "undo": lambda rows, pk: rows.claim_undo(pk),
    "fail_undo": lambda rows, pk: rows.fail_undo(pk, problem="crashed"),
}
NEVER = [
    (action, before)
    for action, (starts, _to) in ContactImport.TRANSITIONS.items()
    for before in Status.values
    if before not in starts
]
ALLOWED = [
    (action, before)
    for action, (starts, _to) in ContactImport.TRANSITIONS.items()
    for before in starts
]


def make_import(actor, status):
    csv_file = read_csv(TEXT.encode())
    return ContactImport.objects.create(
        account=actor.account,
        created_by=actor.user,
        file_name="people.csv",
        encoding=csv_file.encoding,
        delimiter=csv_file.delimiter,
        content=csv_file.text,
        headers=csv_file.headers,
        row_count=csv_file.row_count,
        mapping=guess_mapping(csv_file.headers),
        status=status,
    )


def imports(actor):
    return ContactImport.objects.for_account(actor.account)


def status_of(contact_import):
    return imports_of(contact_import).get(pk=contact_import.pk).status


def imports_of(contact_import):
    return ContactImport.objects.for_account(contact_import.account_id)


def test_every_action_has_its_queryset_method():
    assert set(ACTIONS) == set(ContactImport.TRANSITIONS)


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "before"), NEVER)
def test_an_action_refuses_to_run_from_a_status_it_never_starts_from(owner, action, before):
    contact_import = make_import(owner, before)
    assert ACTIONS[action](imports(owner), contact_import.pk) is False
    assert status_of(contact_import) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "before"), ALLOWED)
def test_an_action_runs_from_each_status_it_starts_from(owner, action, before):
    contact_import = make_import(owner, before)
    assert ACTIONS[action](imports(owner), contact_import.pk) is True
    assert status_of(contact_import) == ContactImport.TRANSITIONS[action][1]


@pytest.mark.django_db
def test_a_check_that_is_no_longer_current_cannot_finish_or_fail(owner):
    contact_import = make_import(owner, Status.READY)
    run = imports(owner).queue_check(contact_import.pk)
    stale = run - 1
    assert not imports(owner).finish_check(
        contact_import.pk, check_run=stale, outcome=PASSED, row_count=2
    )
    assert not imports(owner).fail_check(contact_import.pk, check_run=stale, problem="x")
    assert status_of(contact_import) == Status.VALIDATING
    assert imports(owner).finish_check(
        contact_import.pk, check_run=run, outcome=PASSED, row_count=2
    )
    assert status_of(contact_import) == Status.READY


@pytest.mark.django_db
def test_another_accounts_import_never_moves(owner, outsider):
    contact_import = make_import(owner, Status.READY)
    assert imports(outsider).queue_write(contact_import.pk) is False
    assert imports(outsider).cancel(contact_import.pk) is False
    assert status_of(contact_import) == Status.READY


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status", [Status.VALIDATING, Status.IMPORTING, Status.DONE, Status.CANCELLED]
)
def test_a_check_cannot_be_queued_once_the_import_moved_on(owner, status):
    contact_import = make_import(owner, status)
    assert contact_import_queue_check(contact_import=contact_import) is None
    assert status_of(contact_import) == status


@pytest.mark.django_db
def test_a_mapping_saved_after_import_was_clicked_does_not_cancel_the_import(owner):
    """The finding: the mapping form (loaded while ready) is sent after "Import"."""
    page_loaded = make_import(owner, Status.READY)  # both tabs read "ready"
    assert contact_import_queue_write(contact_import=page_loaded) is True
    assert (
        contact_import_queue_check(contact_import=page_loaded, mapping=["first_name", "email"])
        is None
    )
    assert status_of(page_loaded) == Status.IMPORTING
    assert write_contact_import.call(owner.account.pk, page_loaded.pk) == "done"
    assert Contact.objects.for_account(owner.account).count() == 2


@pytest.mark.django_db
def test_the_mapping_page_says_so_when_import_won_the_race(owner, monkeypatch):
    from web.imports import views

    contact_import = make_import(owner, Status.READY)
    queue_check = views.contact_import_queue_check

    def import_clicked_first(**kwargs):
        contact_import_queue_write(contact_import=contact_import)
        return queue_check(**kwargs)

    monkeypatch.setattr(views, "contact_import_queue_check", import_clicked_first)
    client = Client()
    client.force_login(owner.user)
    response = client.post(
        reverse("web:contacts-import-mapping", args=[contact_import.pk]),
        {"column_0": "first_name", "column_1": "email", "on_duplicate": "skip"},
        follow=True,
    )
    assert response.status_code == 200
    assert "now “Importing”" in response.content.decode()
    assert status_of(contact_import) == Status.IMPORTING


@pytest.mark.django_db
def test_cancel_refuses_an_import_that_is_writing(owner):
    contact_import = make_import(owner, Status.IMPORTING)
    assert contact_import_cancel(contact_import=contact_import) is False
    assert status_of(contact_import) == Status.IMPORTING


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_import_and_a_new_mapping_sent_together_have_exactly_one_winner(owner):
    for _round in range(5):
        contact_import = make_import(owner, Status.READY)
        barrier = threading.Barrier(2)
        results = {}

        def run(name, call, contact_import=contact_import, barrier=barrier, results=results):
            try:
                barrier.wait()
                results[name] = call(contact_import=contact_import)
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=run, args=("write", contact_import_queue_write)),
            threading.Thread(target=run, args=("check", contact_import_queue_check)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        write_won, check_won = results["write"], results["check"] is not None
        assert write_won != check_won, results
        assert status_of(contact_import) == (Status.IMPORTING if write_won else Status.VALIDATING)
