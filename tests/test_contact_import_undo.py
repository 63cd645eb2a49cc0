"""Imports of the valid rows, companies an import creates, what each import recorded,
and undoing an import (contacts/imports/writing.py, undoing.py)."""

import pytest

from companies.models import Company
from contacts.imports import contact_import_undo, failed_rows_csv, guess_mapping, read_csv
from contacts.models import Contact, ContactImport, ContactImportRecord
from contacts.services import contact_update
from contacts.tasks import check_contact_import, write_contact_import
from events.models import Event, Source
from tests.factories import CompanyFactory, ContactFactory, DealFactory
from tests.queries import assert_same_count, capture_queries
from trash.models import TrashedRecord

pytestmark = pytest.mark.django_db
Status = ContactImport.Status
HEADER = "First name,Last name,Email,Company\n"


def make_import(actor, text, *, on_duplicate="skip", mode="all", create_companies=False):
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
        mode=mode,
        create_companies=create_companies,
        status=Status.VALIDATING,
    )


def checked(contact_import):
    check_contact_import.call(contact_import.account_id, contact_import.pk, contact_import.run)
    contact_import.refresh_from_db()
    return contact_import


def imported(contact_import):
    """Check, then write (as the page's "Import" button does)."""
    checked(contact_import)
    assert ContactImport.objects.for_account(contact_import.account_id).queue_write(
        contact_import.pk
    ), contact_import.status
    write_contact_import.call(contact_import.account_id, contact_import.pk)
    contact_import.refresh_from_db()
    return contact_import


def contacts(actor):
    return Contact.objects.for_account(actor.account)


def records(contact_import, action):
    return sorted(
        ContactImportRecord.objects.for_account(contact_import.account_id)
        .of_import(contact_import)
        .filter(action=action)
        .values_list("record_id", flat=True)
    )


# -- the valid rows ----------------------------------------------------------------


def test_importing_the_valid_rows_writes_them_and_keeps_the_failed_ones(owner):
    text = HEADER + "Ada,Lovelace,ada@example.com,\n,Nameless,bad,\nGrace,Hopper,not-an-email,\n"
    contact_import = make_import(owner, text, mode="valid")
    assert checked(contact_import).status == Status.READY
    assert contact_import.error_count == 2
    imported(contact_import)
    assert contact_import.status == Status.DONE
    assert list(contacts(owner).values_list("email", flat=True)) == ["ada@example.com"]
    assert contact_import.content == ""  # the file is gone; only the failed rows stay
    rows = list(failed_rows_csv(contact_import))
    assert rows[0] == ["First name", "Last name", "Email", "Company", "error"]
    assert [r[:3] for r in rows[1:]] == [
        ["", "Nameless", "bad"],
        ["Grace", "Hopper", "not-an-email"],
    ]
    assert "First name: This field is required." in rows[1][4]


def test_all_or_nothing_writes_nothing_when_a_row_fails(owner):
    text = HEADER + "Ada,Lovelace,ada@example.com,\nGrace,Hopper,not-an-email,\n"
    assert checked(make_import(owner, text)).status == Status.INVALID
    assert not contacts(owner).exists()


def test_valid_rows_with_no_valid_row_is_invalid(owner):
    contact_import = make_import(owner, HEADER + "Grace,Hopper,not-an-email,\n", mode="valid")
    assert checked(contact_import).status == Status.INVALID


def test_a_row_that_turned_invalid_after_the_check_is_left_out_not_fatal(owner):
    text = HEADER + "Ada,Lovelace,ada@example.com,\nGrace,Hopper,grace@example.com,\n"
    contact_import = checked(make_import(owner, text, on_duplicate="error", mode="valid"))
    ContactFactory(account=owner.account, email="grace@example.com")  # meanwhile
    ContactImport.objects.for_account(owner.account).queue_write(contact_import.pk)
    assert write_contact_import.call(owner.account.pk, contact_import.pk) == "done"
    contact_import.refresh_from_db()
    assert contact_import.created == 1 and contact_import.error_count == 1
    assert contact_import.failed_rows[0]["row"] == 3
    assert contact_import.failed_rows[0]["cells"][2] == "grace@example.com"


def test_dismissing_the_failed_rows_forgets_them(owner):
    text = HEADER + "Ada,Lovelace,ada@example.com,\nGrace,Hopper,bad,\n"
    contact_import = imported(make_import(owner, text, mode="valid"))
    imports = ContactImport.objects.for_account(owner.account)
    assert imports.dismiss_failed_rows(contact_import.pk) is True
    assert imports.dismiss_failed_rows(contact_import.pk) is False
    contact_import.refresh_from_db()
    assert contact_import.failed_rows == [] and not contact_import.has_failed_rows


# -- creating companies --------------------------------------------------------------


def test_missing_companies_are_created_once_per_name_whatever_the_case(owner):
    CompanyFactory(account=owner.account, name="Initech")
    text = HEADER + (
        "Ada,L,ada@example.com,Acme  Corp\n"
        "Bob,B,bob@example.com,ACME corp\n"
        "Cy,C,cy@example.com,initech\n"
        "Di,D,di@example.com,Globex\n"
    )
    contact_import = checked(make_import(owner, text, create_companies=True))
    assert contact_import.status == Status.READY
    assert contact_import.companies_created == 2
    imported(contact_import)
    companies = Company.objects.for_account(owner.account)
    assert sorted(companies.values_list("name", flat=True)) == ["Acme Corp", "Globex", "Initech"]
    by_email = {c.email: c.company.name for c in contacts(owner).select_related("company")}
    assert by_email == {
        "ada@example.com": "Acme Corp",
        "bob@example.com": "Acme Corp",
        "cy@example.com": "Initech",
        "di@example.com": "Globex",
    }
    events = Event.objects.for_account(owner.account).filter(type="company.created")
    assert sorted(e.data["name"] for e in events) == ["Acme Corp", "Globex"]
    assert {e.source for e in events} == {Source.IMPORT}
    assert contact_import.companies_created == 2
    assert len(records(contact_import, "created")) == 6  # 4 contacts, 2 companies


def test_without_the_choice_an_unknown_company_is_an_error(owner):
    contact_import = checked(make_import(owner, HEADER + "Ada,L,ada@example.com,Acme\n"))
    assert contact_import.status == Status.INVALID
    assert not Company.objects.for_account(owner.account).exists()


def test_companies_of_rows_left_out_are_not_created(owner):
    text = HEADER + "Ada,L,ada@example.com,Acme\nBob,B,bad,Globex\n"
    imported(make_import(owner, text, mode="valid", create_companies=True))
    assert list(Company.objects.for_account(owner.account).values_list("name", flat=True)) == [
        "Acme"
    ]


def test_writing_costs_the_same_queries_for_more_rows_and_companies(owner):
    def run(count, start):
        rows = "".join(
            f"P{i},L,p{i}@example.com,Company {i % (count // 2)}\n"
            for i in range(start, start + count)
        )
        contact_import = checked(make_import(owner, HEADER + rows, create_companies=True))
        ContactImport.objects.for_account(owner.account).queue_write(contact_import.pk)
        with capture_queries() as queries:
            write_contact_import.call(owner.account.pk, contact_import.pk)
        return queries

    small, large = run(4, 0), run(40, 100)
    assert_same_count(small, large)


# -- what an import did ----------------------------------------------------------------


def test_the_import_records_what_it_created_and_what_it_updated(owner):
    existing = ContactFactory(account=owner.account, email="ada@example.com", last_name="Old")
    text = HEADER + "Ada,New,ada@example.com,\nGrace,Hopper,grace@example.com,\n"
    contact_import = imported(make_import(owner, text, on_duplicate="update"))
    grace = contacts(owner).get(email="grace@example.com")
    assert records(contact_import, "created") == [grace.pk]
    assert records(contact_import, "updated") == [existing.pk]
    record = ContactImportRecord.objects.for_account(owner.account).get(action="updated")
    event = Event.objects.for_account(owner.account).get(pk=record.event_id)
    assert event.type == "contact.updated" and event.changes["last_name"] == ["Old", "New"]


# -- undo ------------------------------------------------------------------------------


def test_undo_deletes_what_it_created_and_restores_what_it_updated(owner):
    ada = ContactFactory(
        account=owner.account, email="ada@example.com", first_name="Ada", last_name="Old"
    )
    text = HEADER + "Ada,New,ada@example.com,\nGrace,Hopper,grace@example.com,\n"
    contact_import = imported(make_import(owner, text, on_duplicate="update"))
    grace_id = contacts(owner).get(email="grace@example.com").pk
    report = contact_import_undo(contact_import=contact_import, by=owner.user)
    assert (report.deleted, report.reverted, report.kept_fields) == (1, 1, 0)
    assert list(contacts(owner).values_list("pk", "last_name")) == [(ada.pk, "Old")]
    trashed = TrashedRecord.objects.for_account(owner.account).of_type("contact")
    assert [t.record_id for t in trashed] == [grace_id]  # restorable from the trash
    contact_import.refresh_from_db()
    assert contact_import.status == Status.UNDONE
    assert contact_import.undo_report["deleted"] == 1
    events = Event.objects.for_account(owner.account).order_by("-id")
    assert [e.type for e in events[:2]] == ["contact.deleted", "contact.updated"]
    assert events[1].changes["last_name"] == ["New", "Old"]


def test_undo_keeps_a_field_edited_since_the_import(owner):
    ada = ContactFactory(
        account=owner.account,
        email="ada@example.com",
        first_name="Ada",
        last_name="Old",
        title="CEO",
    )
    text = "First name,Last name,Email,Job title\nAda,New,ada@example.com,CTO\n"
    contact_import = imported(make_import(owner, text, on_duplicate="update"))
    ada.refresh_from_db()
    contact_update(contact=ada, by=owner.user, source=Source.UI, data={"title": "Chair"})
    report = contact_import_undo(contact_import=contact_import, by=owner.user)
    assert report.kept_fields == 1 and report.reverted == 1
    ada.refresh_from_db()
    assert (ada.last_name, ada.title) == ("Old", "Chair")


def test_undo_after_an_update_repeated_across_chunks_restores_the_first_values(owner, monkeypatch):
    monkeypatch.setattr("contacts.imports.writing.chunks", lambda items: ([i] for i in items))
    ContactFactory(account=owner.account, email="ada@example.com", first_name="Ada", last_name="A")
    text = HEADER + "Ada,B,ada@example.com,\nAda,C,ada@example.com,\n"
    contact_import = imported(make_import(owner, text, on_duplicate="update"))
    assert contacts(owner).get().last_name == "C"
    assert len(records(contact_import, "updated_again")) == 1
    contact_import_undo(contact_import=contact_import, by=owner.user)
    assert contacts(owner).get().last_name == "A"


def test_undo_twice_does_the_work_once(owner):
    contact_import = imported(make_import(owner, HEADER + "Ada,L,ada@example.com,\n"))
    assert contact_import_undo(contact_import=contact_import, by=owner.user) is not None
    assert contact_import_undo(contact_import=contact_import, by=owner.user) is None
    deletes = Event.objects.for_account(owner.account).filter(type="contact.deleted")
    assert deletes.count() == 1


def test_undo_deletes_companies_it_created_unless_something_links_to_them(owner):
    text = HEADER + "Ada,L,ada@example.com,Acme\nBob,B,bob@example.com,Globex\n"
    contact_import = imported(make_import(owner, text, create_companies=True))
    globex = Company.objects.for_account(owner.account).get(name="Globex")
    DealFactory(account=owner.account, company=globex)
    report = contact_import_undo(contact_import=contact_import, by=owner.user)
    assert (report.companies_deleted, report.companies_kept) == (1, 1)
    assert list(Company.objects.for_account(owner.account).values_list("name", flat=True)) == [
        "Globex"
    ]


def test_an_import_that_is_not_done_cannot_be_undone(owner):
    contact_import = checked(make_import(owner, HEADER + "Ada,L,ada@example.com,\n"))
    assert contact_import_undo(contact_import=contact_import, by=owner.user) is None
    assert ContactImport.objects.for_account(owner.account).get().status == Status.READY


def test_undo_costs_the_same_queries_for_more_contacts(owner):
    def run(count, start):
        for i in range(start, start + count):
            ContactFactory(account=owner.account, email=f"u{i}@example.com", last_name="Old")
        rows = "".join(f"P{i},New,u{i}@example.com,\n" for i in range(start, start + count))
        rows += "".join(f"N{i},New,n{i}@example.com,\n" for i in range(start, start + count))
        contact_import = imported(make_import(owner, HEADER + rows, on_duplicate="update"))
        with capture_queries() as queries:
            report = contact_import_undo(contact_import=contact_import, by=owner.user)
        assert (report.deleted, report.reverted) == (count, count)
        return queries

    small, large = run(2, 0), run(20, 100)
    assert_same_count(small, large)
