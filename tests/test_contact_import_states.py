"""The CSV import's state machine: every status change is a compare-and-set, so a
click that loses a race is told so, and never silently undoes the one that won."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from contacts.imports import guess_mapping, read_csv
from contacts.models import Contact, ContactImport
from contacts.tasks import (
    contact_import_cancel,
    contact_import_queue_check,
    contact_import_queue_write,
    write_contact_import,
)

Status = ContactImport.Status
TEXT = "First name,Email\nAda,ada@example.com\nGrace,grace@example.com\n"
NEVER = [
    (to, before)
    for to in Status.values
    for before in Status.values
    if before not in ContactImport.TRANSITIONS[to]
]
ALLOWED = [(to, before) for to, befores in ContactImport.TRANSITIONS.items() for before in befores]


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


@pytest.mark.django_db
@pytest.mark.parametrize(("to", "before"), NEVER)
def test_a_transition_refuses_to_run_from_a_status_it_never_starts_from(owner, to, before):
    contact_import = make_import(owner, before)
    assert imports(owner).transition(contact_import.pk, to=to) is False
    assert status_of(contact_import) == before


@pytest.mark.django_db
@pytest.mark.parametrize(("to", "before"), ALLOWED)
def test_a_transition_runs_from_each_status_it_starts_from(owner, to, before):
    contact_import = make_import(owner, before)
    assert imports(owner).transition(contact_import.pk, to=to) is True
    assert status_of(contact_import) == to


@pytest.mark.django_db
def test_asking_for_a_transition_the_machine_does_not_have_is_a_programming_error(owner):
    contact_import = make_import(owner, Status.DONE)
    with pytest.raises(ValueError):
        imports(owner).transition(contact_import.pk, to=Status.READY, expected=[Status.DONE])


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
