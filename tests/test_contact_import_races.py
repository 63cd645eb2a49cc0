"""Imports of the same emails at the same moment (PostgreSQL, real threads released
together by a barrier, several rounds): every import succeeds as if they had run one
after the other, and no email is stored twice."""

import pytest
from django.db import connection

from contacts.imports import CheckOutcome, contact_import_undo, guess_mapping, read_csv
from contacts.models import Contact, ContactImport
from contacts.tasks import write_contact_import
from events.models import Event
from tests.races import own_client, together

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
URL = "/api/v1/crm/contacts/bulk-import/"
ROUNDS = 5
THREADS = 3
EMAILS = 50


def rows(round_number):
    return [
        {"first_name": f"P{i}", "email": f"r{round_number}-p{i}@example.com"} for i in range(EMAILS)
    ]


def stored_emails(actor, round_number):
    return list(
        Contact.objects.for_account(actor.account)
        .filter(email__startswith=f"r{round_number}-")
        .values_list("email", flat=True)
    )


@pytest.mark.parametrize("on_duplicate", ["skip", "update"])
def test_concurrent_bulk_imports_of_the_same_emails_all_answer_201(owner, on_duplicate):
    for round_number in range(ROUNDS):
        body = {"contacts": rows(round_number), "on_duplicate": on_duplicate}

        def post(body=body):
            response = own_client(owner).post(URL, body, format="json")
            return response.status_code, response.json()

        answers = together(*[post] * THREADS)
        assert [a[0] if isinstance(a, tuple) else a for a in answers] == [201] * THREADS, answers
        emails = stored_emails(owner, round_number)
        assert len(emails) == EMAILS == len(set(emails))
        created = sorted(answer[1]["created"] for answer in answers)
        assert created == [0] * (THREADS - 1) + [EMAILS]
        ids = {tuple(answer[1]["ids"]) for answer in answers}
        assert len(ids) == 1, "every answer names the same contacts"


def csv_import(actor, round_number, on_duplicate):
    text = "First name,Email\n" + "".join(
        f"P{i},r{round_number}-p{i}@example.com\n" for i in range(EMAILS)
    )
    csv_file = read_csv(text.encode())
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
        on_duplicate=on_duplicate,
        status=ContactImport.Status.IMPORTING,
    )


@pytest.mark.parametrize("on_duplicate", ["skip", "update"])
def test_csv_imports_racing_an_api_import_of_the_same_emails_all_succeed(owner, on_duplicate):
    for round_number in range(ROUNDS):
        imports = [csv_import(owner, round_number, on_duplicate) for _ in range(2)]
        body = {"contacts": rows(round_number), "on_duplicate": on_duplicate}

        def write(contact_import):
            return lambda: write_contact_import.call(owner.account.pk, contact_import.pk)

        def post(body=body):
            return own_client(owner).post(URL, body, format="json").status_code

        answers = together(write(imports[0]), write(imports[1]), post)
        assert answers == ["done", "done", 201], answers
        for contact_import in imports:
            contact_import.refresh_from_db()
            assert contact_import.status == ContactImport.Status.DONE
        emails = stored_emails(owner, round_number)
        assert len(emails) == EMAILS == len(set(emails))


def test_an_import_that_loses_a_race_with_a_single_create_plans_again(owner, monkeypatch):
    from contacts import services

    plan = services._plan
    calls = []

    def plan_then_lose_the_race(*args, **kwargs):
        calls.append(1)
        planned = plan(*args, **kwargs)
        if len(calls) == 1:  # another request stores p7 between our read and our write

            def create():
                return (
                    own_client(owner)
                    .post(
                        "/api/v1/crm/contacts/",
                        {"first_name": "Quick", "email": "r0-p7@example.com"},
                        format="json",
                    )
                    .status_code
                )

            assert together(create) == [201]
        return planned

    monkeypatch.setattr(services, "_plan", plan_then_lose_the_race)
    response = own_client(owner).post(
        URL, {"contacts": rows(0), "on_duplicate": "skip"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["created"], response.json()["skipped"]) == (EMAILS - 1, 1)
    assert len(calls) == 2
    assert len(stored_emails(owner, 0)) == EMAILS


# -- the state machine's compare-and-sets, raced ---------------------------------------

Status = ContactImport.Status
PASSED = CheckOutcome(created=EMAILS)


def import_in(actor, status):
    contact_import = csv_import(actor, 0, "skip")
    ContactImport.objects.for_account(actor.account).filter(pk=contact_import.pk).update(
        status=status
    )
    return contact_import


def status_of(contact_import):
    return ContactImport.objects.for_account(contact_import.account_id).get(pk=contact_import.pk)


@pytest.mark.parametrize(
    "other",
    [
        lambda rows, pk: rows.cancel(pk),
        lambda rows, pk: rows.replace_file(pk, file_name="fixed.csv"),
        lambda rows, pk: rows.queue_check(pk) is not None,
    ],
    ids=["cancel", "replace_file", "queue_check"],
)
def test_import_clicked_with_another_change_of_a_ready_import_has_exactly_one_winner(owner, other):
    for _round in range(ROUNDS):
        contact_import = import_in(owner, Status.READY)
        rows = ContactImport.objects.for_account(owner.account)
        write_won, other_won = together(
            lambda pk=contact_import.pk, rows=rows: rows.queue_write(pk),
            lambda pk=contact_import.pk, rows=rows: other(rows, pk),
        )
        assert write_won != other_won, (write_won, other_won)
        assert (status_of(contact_import).status == Status.IMPORTING) == write_won
        Contact.objects.for_account(owner.account).delete()


def test_a_cancel_racing_the_end_of_the_check_always_ends_cancelled(owner):
    for _round in range(ROUNDS):
        contact_import = import_in(owner, Status.VALIDATING)
        rows = ContactImport.objects.for_account(owner.account)
        pk = contact_import.pk
        finished, cancelled = together(
            lambda pk=pk, rows=rows: rows.finish_check(
                pk, check_run=0, outcome=PASSED, row_count=EMAILS
            ),
            lambda pk=pk, rows=rows: rows.cancel(pk),
        )
        assert cancelled is True, (finished, cancelled)
        stored = status_of(contact_import)
        assert stored.status == Status.CANCELLED and stored.content == ""


@pytest.mark.parametrize("on_duplicate", ["skip", "error"])
def test_the_same_write_run_twice_at_once_writes_once_and_finishes_once(owner, on_duplicate):
    """A retried task, or two workers: the second finds the first's contacts (duplicates
    it may skip, or errors) and then the import done; it answers "stale" either way."""
    for round_number in range(ROUNDS):
        contact_import = csv_import(owner, round_number, on_duplicate)

        def write(pk=contact_import.pk):
            return write_contact_import.call(owner.account.pk, pk)

        answers = together(write, write)
        assert sorted(answers) == ["done", "stale"], answers
        stored = status_of(contact_import)
        assert stored.status == Status.DONE and stored.created == EMAILS
        assert len(stored_emails(owner, round_number)) == EMAILS


# -- undo ----------------------------------------------------------------------------


def test_two_undos_at_once_do_the_work_exactly_once(owner):
    """Two clicks on "Undo this import" (or a click and the background task): one
    deletes the contacts and appends their events, the other finds the import undone."""
    for round_number in range(ROUNDS):
        contact_import = csv_import(owner, round_number, "skip")
        assert write_contact_import.call(owner.account.pk, contact_import.pk) == "done"
        contact_import.refresh_from_db()

        def undo(contact_import=contact_import):
            return contact_import_undo(contact_import=contact_import, by=owner.user)

        reports = together(undo, undo)
        assert sorted(r is None for r in reports) == [False, True], reports
        winner = next(r for r in reports if r is not None)
        assert winner.deleted == EMAILS
        assert stored_emails(owner, round_number) == []
        deletes = Event.objects.for_account(owner.account).filter(
            type="contact.deleted", data__email__startswith=f"r{round_number}-"
        )
        assert deletes.count() == EMAILS
        assert status_of(contact_import).status == Status.UNDONE
