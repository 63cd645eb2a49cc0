"""contacts/imports/ and contacts/tasks.py: reading CSV files, checking rows, writing them."""

import codecs

import pytest
from django.core.management import call_command
from django.test import override_settings

from contacts.imports import (
    MAX_ROWS,
    CsvProblem,
    carry_mapping,
    check_import,
    failed_rows_csv,
    guess_mapping,
    mapping_problems,
    preview,
    read_csv,
    records,
    write_import,
)
from contacts.models import Contact, ContactImport
from contacts.tasks import check_contact_import, write_contact_import
from tests.factories import CompanyFactory, ContactFactory
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
Status = ContactImport.Status


def make_import(actor, text, *, mapping=None, on_duplicate="skip", status=Status.VALIDATING):
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
        mapping=mapping or guess_mapping(csv_file.headers),
        on_duplicate=on_duplicate,
        status=status,
    )


def contacts(actor):
    return Contact.objects.for_account(actor.account)


def run_check(contact_import):
    check_contact_import.call(contact_import.account_id, contact_import.pk, contact_import.run)
    contact_import.refresh_from_db()
    return contact_import


def run_write(contact_import):
    ContactImport.objects.for_account(contact_import.account_id).filter(
        pk=contact_import.pk
    ).update(status=Status.IMPORTING)
    write_contact_import.call(contact_import.account_id, contact_import.pk)
    contact_import.refresh_from_db()
    return contact_import


# -- reading files ---------------------------------------------------------------


def test_it_reads_utf8_with_a_bom_and_drops_the_bom_from_the_first_header():
    data = codecs.BOM_UTF8 + "First name,Email\nZoë,zoe@example.com\n".encode()
    csv_file = read_csv(data)
    assert csv_file.headers == ["First name", "Email"]
    assert csv_file.encoding == "UTF-8"
    assert list(records(csv_file.text, ",")) == [(2, ["Zoë", "zoe@example.com"])]


def test_it_falls_back_to_windows_1252_for_legacy_excel_files():
    csv_file = read_csv("First name\nJosé\n".encode("cp1252"))
    assert csv_file.encoding == "Windows-1252"
    assert list(records(csv_file.text, ",")) == [(2, ["José"])]


def test_it_reads_utf16_with_a_bom():
    csv_file = read_csv("First name\tEmail\nAda\tada@example.com\n".encode("utf-16"))
    assert csv_file.delimiter == "\t"
    assert csv_file.headers == ["First name", "Email"]


def test_it_keeps_quoted_commas_and_line_breaks_in_one_cell():
    text = 'First name,Title\n"Ada","CTO, Analytical Engines"\n"Grace","Rear\nAdmiral"\n'
    csv_file = read_csv(text.encode())
    assert list(records(csv_file.text, ",")) == [
        (2, ["Ada", "CTO, Analytical Engines"]),
        (3, ["Grace", "Rear\nAdmiral"]),
    ]


def test_blank_lines_are_skipped_but_keep_their_row_numbers():
    csv_file = read_csv(b"First name\r\nAda\r\n\r\n , \r\nGrace\r\n")
    assert csv_file.row_count == 2
    assert list(records(csv_file.text, ",")) == [(2, ["Ada"]), (5, ["Grace"])]


def test_it_detects_semicolons_as_separator():
    csv_file = read_csv(b'Vorname;Nachname;E-Mail\n"M\xc3\xbcller, A";B;c@example.com\n')
    assert csv_file.delimiter == ";"
    assert guess_mapping(csv_file.headers) == ["first_name", "last_name", "email"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (codecs.BOM_UTF8, "empty"),
        (b"First name,Email\n", "no contacts"),
        (b"\nFirst name\nAda\n", "header row"),
        (b"PK\x03\x04 a zip file", "Excel workbook"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not a text file"),
        (b"First name\n\x81\x8d\x8f\n", "CSV UTF-8"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(data, message):
    with pytest.raises(CsvProblem, match=message):
        read_csv(data)


def test_a_cell_beyond_the_csv_field_limit_is_refused():
    with pytest.raises(CsvProblem, match="not valid CSV near row 2"):
        read_csv(b'First name\n"' + b"x" * 200_000 + b'"\n')


def test_too_many_columns_are_refused():
    with pytest.raises(CsvProblem, match="201 columns"):
        read_csv((",".join(f"c{i}" for i in range(201)) + "\nAda\n").encode())


def test_more_rows_than_the_limit_are_refused():
    data = ("First name\n" + "Ada\n" * (MAX_ROWS + 1)).encode()
    with pytest.raises(CsvProblem, match="more than 50,000"):
        read_csv(data)
    assert read_csv(("First name\n" + "Ada\n" * MAX_ROWS).encode()).row_count == MAX_ROWS


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            ["First Name", "Last Name", "E-mail Address", "Mobile"],
            ["first_name", "last_name", "email", "phone"],
        ),
        (
            ["first_name", "EMAIL", "Job Title", "Company Name", "Contact owner", "Labels"],
            ["first_name", "email", "title", "company", "owner", "tags"],
        ),
        (["Email", "Email", "Notes"], ["email", "", ""]),
    ],
)
def test_the_mapping_is_guessed_from_header_variants(headers, expected):
    assert guess_mapping(headers) == expected


def test_a_mapping_needs_a_first_name_and_each_field_once():
    assert mapping_problems(["first_name", "email"]) == []
    assert mapping_problems(["email", "email"]) == [
        "Only one column can be Email.",
        "Choose the column that holds the first name.",
    ]


def test_a_fixed_file_with_the_same_columns_keeps_the_mapping():
    assert carry_mapping(["Name", "Mail"], ["first_name", "email"], ["name", "MAIL"]) == [
        "first_name",
        "email",
    ]
    assert carry_mapping(["Name", "Mail"], ["first_name", "email"], ["Mail", "Name"]) is None


def test_the_preview_pads_short_rows():
    csv_file = read_csv(b"First name,Email,Title\nAda\nGrace,g@example.com,Admiral\n")
    assert preview(csv_file.text, ",", 3) == [
        {"row": 2, "cells": ["Ada", "", ""]},
        {"row": 3, "cells": ["Grace", "g@example.com", "Admiral"]},
    ]


# -- checking rows -----------------------------------------------------------------


def test_the_check_reports_errors_by_spreadsheet_row_and_writes_nothing(owner):
    text = (
        "First name,Email,Phone,Company,Owner,Tags\n"
        "Ada,ada@example.com,,,,\n"
        ",nobody@example.com,,,,\n"
        "\n"
        "Bad,not-an-email,12,Nowhere Inc,ghost,\n"
        'Extra,extra@example.com,,,,,"surprise"\n'
    )
    contact_import = run_check(make_import(owner, text))
    assert contact_import.status == Status.INVALID
    assert contact_import.error_count == 3
    by_row = {e["row"]: e["messages"] for e in contact_import.errors}
    assert list(by_row) == [3, 5, 6]
    assert by_row[3] == ["First name: This field is required."]
    assert "Email: Enter a valid email address." in by_row[5]
    assert "Phone: Enter a valid phone number." in by_row[5]
    assert any(m.startswith("Company: No company named") for m in by_row[5])
    assert any(m.startswith("Owner: “ghost” is not") for m in by_row[5])
    assert "7 cells" in by_row[6][0]
    assert not contacts(owner).exists()


def test_the_failed_rows_csv_has_the_original_columns_and_an_error_column(owner):
    contact_import = run_check(make_import(owner, "First name,Email\nAda,ada@x.com\n,bad\n"))
    rows = list(failed_rows_csv(contact_import))
    assert rows[0] == ["First name", "Email", "error"]
    assert rows[1][:2] == ["", "bad"]
    assert "First name: This field is required." in rows[1][2]
    assert len(rows) == 2


def test_companies_match_by_name_or_domain_and_owners_by_username_or_email(owner, teammate):
    acme = CompanyFactory(account=owner.account, name="Acme", domain="acme.com")
    text = (
        "First name,Email,Company,Owner,Tags\n"
        f"Ada,ada@example.com,ACME,{teammate.user.username},vip; newsletter\n"
        f'Grace,grace@example.com,https://www.acme.com/,{teammate.user.email.upper()},"a,b"\n'
        "Linus,linus@example.com,,,\n"
    )
    contact_import = run_check(make_import(owner, text))
    assert contact_import.status == Status.READY, contact_import.errors
    assert (contact_import.created, contact_import.updated, contact_import.skipped) == (3, 0, 0)
    run_write(contact_import)
    assert contact_import.status == Status.DONE
    saved = {c.first_name: c for c in contacts(owner).prefetch_related("tags")}
    assert saved["Ada"].company == acme and saved["Grace"].company == acme
    assert saved["Ada"].owner == teammate.user and saved["Grace"].owner == teammate.user
    assert saved["Linus"].owner == owner.user  # empty owner: the importing user
    assert sorted(t.name for t in saved["Ada"].tags.all()) == ["newsletter", "vip"]


def test_another_accounts_company_and_member_are_unknown(owner, outsider):
    CompanyFactory(account=outsider.account, name="Globex")
    text = f"First name,Company,Owner\nAda,Globex,{outsider.user.username}\n"
    contact_import = run_check(make_import(owner, text))
    messages = contact_import.errors[0]["messages"]
    assert any("No company named" in m for m in messages)
    assert any("is not the username or email of a member" in m for m in messages)


@pytest.mark.parametrize(
    ("on_duplicate", "status", "counts"),
    [
        ("skip", Status.READY, (1, 0, 2)),
        ("update", Status.READY, (1, 2, 0)),
        ("error", Status.INVALID, (1, 0, 0)),
    ],
)
def test_duplicates_follow_the_chosen_rule(owner, on_duplicate, status, counts):
    ContactFactory(account=owner.account, first_name="Old", email="old@example.com", title="Before")
    text = (
        "First name,Email,Title\nOld,OLD@example.com,After\nNew,new@example.com,\n"
        "Again,new@example.com,Twice\n"
    )
    contact_import = run_check(make_import(owner, text, on_duplicate=on_duplicate))
    assert contact_import.status == status
    assert (contact_import.created, contact_import.updated, contact_import.skipped) == counts
    if on_duplicate == "error":
        assert [e["row"] for e in contact_import.errors] == [2, 4]
        assert "repeats row 3" in contact_import.errors[1]["messages"][0]
        return
    run_write(contact_import)
    assert (contact_import.created, contact_import.updated, contact_import.skipped) == counts
    old = contacts(owner).get(email="old@example.com")
    assert old.title == ("After" if on_duplicate == "update" else "Before")
    assert contacts(owner).count() == 2


def test_an_empty_cell_does_not_erase_a_value_on_update(owner):
    ContactFactory(
        account=owner.account, first_name="Old", email="old@example.com", title="Keep me"
    )
    contact_import = run_check(
        make_import(
            owner, "First name,Email,Title\nRenamed,old@example.com,\n", on_duplicate="update"
        )
    )
    run_write(contact_import)
    old = contacts(owner).get()
    assert (old.first_name, old.title) == ("Renamed", "Keep me")


def test_the_check_costs_the_same_queries_for_one_chunk_of_any_size(owner):
    CompanyFactory(account=owner.account, name="Acme")

    def queries(n):
        text = "First name,Email,Company\n" + "".join(
            f"P{i},p{i}@example.com,Acme\n" for i in range(n)
        )
        contact_import = make_import(owner, text)
        with capture_queries() as ctx:
            outcome = check_import(contact_import, on_progress=lambda n: True)
        assert not outcome.errors
        return ctx

    assert_same_count(queries(3), queries(300))


# -- writing: all or nothing, across chunks ----------------------------------------------


def test_a_big_file_is_checked_and_written_in_chunks_all_or_nothing(owner):
    text = "First name,Email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(2500))
    contact_import = make_import(owner, text)
    progress = []
    outcome = check_import(contact_import, on_progress=lambda n: progress.append(n) or True)
    assert progress == [1000, 2000, 2500]
    assert outcome.created == 2500
    # Someone adds a contact with the email of the very last row after the check:
    contact_import.status = Status.READY
    contact_import.save()
    ContactFactory(account=owner.account, email="p2499@example.com")
    contact_import.on_duplicate = "error"
    contact_import.save()
    run_write(contact_import)
    assert contact_import.status == Status.INVALID
    assert [e["row"] for e in contact_import.errors] == [2501]
    assert "Nothing was imported" in contact_import.problem
    assert contacts(owner).count() == 1  # the first two chunks were rolled back


def test_a_cancelled_check_stops_and_writes_nothing(owner):
    text = "First name\n" + "Ada\n" * 2500
    contact_import = make_import(owner, text)

    def cancel_after_first_chunk(checked):
        ContactImport.objects.for_account(owner.account).filter(pk=contact_import.pk).update(
            status=Status.CANCELLED
        )
        return False

    assert check_import(contact_import, on_progress=cancel_after_first_chunk) is None
    run_check(contact_import)  # the task sees it was cancelled and leaves it alone
    assert contact_import.status == Status.CANCELLED
    assert contact_import.processed == 0
    assert not contacts(owner).exists()


def test_a_write_whose_import_changed_meanwhile_is_rolled_back(owner, monkeypatch):
    contact_import = run_check(make_import(owner, "First name,Email\nAda,ada@example.com\n"))
    real_write = write_import

    def write_then_cancel(contact_import, *, user):
        outcome = real_write(contact_import, user=user)
        ContactImport.objects.for_account(owner.account).filter(pk=contact_import.pk).update(
            status=Status.CANCELLED
        )
        return outcome

    monkeypatch.setattr("contacts.tasks.write_import", write_then_cancel)
    ContactImport.objects.for_account(owner.account).filter(pk=contact_import.pk).update(
        status=Status.IMPORTING
    )
    assert write_contact_import.call(owner.account.pk, contact_import.pk) == "stale"
    assert not contacts(owner).exists()  # the rows went with the transaction


def test_a_stale_run_leaves_the_import_alone(owner):
    contact_import = make_import(owner, "First name\nAda\n")
    assert check_contact_import.call(owner.account.pk, contact_import.pk, 99) == "stale"
    assert write_contact_import.call(owner.account.pk, contact_import.pk) == "stale"


def test_the_tasks_need_the_imports_own_account(owner, outsider):
    contact_import = make_import(owner, "First name\nAda\n")
    assert check_contact_import.call(outsider.account.pk, contact_import.pk, 0) == "stale"


# -- through the real database backend --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_tasks_run_through_the_database_queue_and_its_worker(owner):
    from django_tasks_db.models import DBTaskResult

    contact_import = make_import(owner, "First name,Email\nAda,ada@example.com\n")
    result = check_contact_import.enqueue(owner.account.pk, contact_import.pk, 0)
    assert DBTaskResult.objects.filter(id=result.id).exists()
    contact_import.refresh_from_db()
    assert contact_import.status == Status.VALIDATING  # queued, not run yet

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    contact_import.refresh_from_db()
    assert contact_import.status == Status.READY
    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"

    ContactImport.objects.for_account(owner.account).filter(pk=contact_import.pk).update(
        status=Status.IMPORTING
    )
    write_contact_import.enqueue(owner.account.pk, contact_import.pk)
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    contact_import.refresh_from_db()
    assert contact_import.status == Status.DONE
    assert contacts(owner).get().email == "ada@example.com"


@override_settings(TASKS=IMMEDIATE)
def test_the_immediate_backend_runs_the_task_on_enqueue(owner):
    contact_import = make_import(owner, "First name\nAda\n")
    check_contact_import.enqueue(owner.account.pk, contact_import.pk, 0)
    contact_import.refresh_from_db()
    assert contact_import.status == Status.READY
