"""CSV injection: the contacts export and an import's failed rows, opened in a spreadsheet."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from contacts.imports import guess_mapping, read_csv
from contacts.models import ContactImport
from contacts.tasks import check_contact_import
from lib.spreadsheet_cells import neutralise_formula
from tests.factories import ContactFactory

# (what a user typed, what the file must hold so a spreadsheet shows it as text)
PAYLOADS = [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
    ("@SUM(1)", "'@SUM(1)"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ('=HYPERLINK("http://evil.example")', '\'=HYPERLINK("http://evil.example")'),
    (";=1+1", ";'=1+1"),
    (",=1+1", ",'=1+1"),
    ("x; =1+1", "x;' =1+1"),
    ("\t=1+1", "'\t'=1+1"),
    ("\r=1+1", "'\r'=1+1"),
    ("\n=1+1", "'\n'=1+1"),
    ("\tplain", "'\tplain"),
    ("Ada;@SUM(1)", "Ada;'@SUM(1)"),
]
LEFT_AS_THEY_ARE = [
    "",
    "Ada",
    "+14155550142",
    "+1 (415) 555-0142",
    "-42",
    "-3.5",
    "ada@example.com",
    "vip, newsletter",
    "Smith-Jones",
    "a=b",
    "1+1",
]


@pytest.mark.parametrize(("value", "safe"), PAYLOADS)
def test_a_cell_that_would_run_as_a_formula_is_shown_as_text(value, safe):
    assert neutralise_formula(value) == safe


@pytest.mark.parametrize("value", LEFT_AS_THEY_ARE)
def test_phone_numbers_negative_numbers_and_plain_text_stay_readable(value):
    assert neutralise_formula(value) == value


def read(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert body.startswith('"'), "every cell is quoted, whatever separator a reader picks"
    return list(csv.reader(io.StringIO(body, newline="")))


@pytest.mark.django_db
def test_the_export_neutralises_every_payload_and_keeps_phone_numbers(owner):
    for index, (value, _safe) in enumerate(PAYLOADS):
        ContactFactory(
            account=owner.account,
            first_name=f"C{index:02}",
            last_name=value,
            title=value,
            phone="+14155550142",
            email=f"c{index}@example.com",
        )
    client = Client()
    client.force_login(owner.user)
    header, *rows = read(client.get("/contacts/export/?sort=name"))
    last, title, phone = (header.index(name) for name in ("last_name", "title", "phone"))
    by_first = {row[0]: row for row in rows}
    for index, (_value, safe) in enumerate(PAYLOADS):
        row = by_first[f"C{index:02}"]
        assert (row[last], row[title]) == (safe, safe)
        assert row[phone] == "+14155550142"


@pytest.mark.django_db
def test_the_failed_rows_file_neutralises_every_payload_and_keeps_phone_numbers(owner, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["First name", "Last name", "Phone", "Email"])
    for value, _safe in PAYLOADS:  # an invalid email makes every row a failed row
        writer.writerow(["Ada", value, "+14155550142", value])
    csv_file = read_csv(buffer.getvalue().encode())
    contact_import = ContactImport.objects.create(
        account=owner.account,
        created_by=owner.user,
        file_name="people.csv",
        encoding=csv_file.encoding,
        delimiter=csv_file.delimiter,
        content=csv_file.text,
        headers=csv_file.headers,
        row_count=csv_file.row_count,
        mapping=guess_mapping(csv_file.headers),
        status=ContactImport.Status.VALIDATING,
    )
    check_contact_import.call(owner.account.pk, contact_import.pk, contact_import.run)
    client = Client()
    client.force_login(owner.user)
    header, *rows = read(
        client.get(reverse("web:contacts-import-errors", args=[contact_import.pk]))
    )
    assert header == ["First name", "Last name", "Phone", "Email", "error"]
    assert len(rows) == len(PAYLOADS)
    for row, (_value, safe) in zip(rows, PAYLOADS, strict=True):
        assert row[1] == safe and row[3] == safe
        assert row[2] == "+14155550142"
        assert not row[4].startswith(("=", "+", "-", "@"))
