"""The timeline's "Log an email" (web/timeline/email_forms.py, notes.services
`note_log_email`): an .eml file or a pasted source logged as an email note on the
record, its direction, the contact it links, the typed form, errors as form errors
(never a 500), and isolation between accounts."""

import datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from events.models import Event, Source
from notes.models import Note
from tests.factories import CompanyFactory, ContactFactory, DealFactory
from tests.queries import assert_same_count, capture_queries
from web.timeline.email_forms import message_limit

EMAILS = Path(__file__).parent / "fixtures" / "emails"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def web(owner):
    client = Client()
    client.force_login(owner.user)
    return client


@pytest.fixture
def ann(owner):
    return ContactFactory(
        account=owner.account, first_name="Ann", last_name="Lee", email="ann@acme.example"
    )


def eml(name):
    return SimpleUploadedFile(name, (EMAILS / name).read_bytes(), content_type="message/rfc822")


def log_email(web, record_type, pk, **fields):
    data = {"kind": "email", **{f"log-email-{name}": value for name, value in fields.items()}}
    return web.post(f"/timeline/{record_type}/{pk}/log/", data, **HTMX)


def only_email_note(account):
    return Note.objects.for_account(account).get(kind=Note.Kind.EMAIL)


# -- a dropped or chosen file -------------------------------------------------------------


def test_an_eml_file_is_logged_on_the_contact_as_an_incoming_email(web, owner, ann):
    response = log_email(web, "contact", ann.pk, message_file=eml("multipart_alternative.eml"))
    assert response.status_code == 200
    assert "Email logged" in response["HX-Trigger"]
    note = only_email_note(owner.account)
    assert note.contact == ann and note.author == owner.user
    assert note.direction == Note.Direction.INBOUND
    assert note.subject == "Re: Q3 pricing — naïve question"
    assert note.from_address == "Ann Lee <Ann@Acme.example>"
    assert note.to_addresses == ["Olivia <olivia@example.com>", "Bob Stone <bob@acme.example>"]
    assert note.cc_addresses == ["carla@acme.example"]
    assert note.occurred_at == datetime.datetime(2026, 3, 10, 13, 5, tzinfo=datetime.UTC)
    assert "<b>Q3 pricing</b>" in note.body
    html = response.content.decode()
    assert "Re: Q3 pricing — naïve question" in html and "Bob Stone" in html


def test_logging_appends_note_created_from_the_ui(web, owner, ann):
    log_email(web, "contact", ann.pk, message_file=eml("text_only_outgoing.eml"))
    note = only_email_note(owner.account)
    event = Event.objects.for_account(owner.account).of_record("note", note.pk).get()
    assert (event.type, event.source, event.actor_id) == ("note.created", Source.UI, owner.user.pk)
    assert event.data["kind"] == "email" and event.data["direction"] == "outbound"
    # The API's note is the contract's: the email's headers are not in it.
    assert "subject" not in event.data and "attachments" not in event.data


def test_an_email_from_the_users_own_address_is_outgoing(web, owner, ann):
    assert owner.user.email == "olivia@example.com"
    log_email(web, "contact", ann.pk, message_file=eml("text_only_outgoing.eml"))
    assert only_email_note(owner.account).direction == Note.Direction.OUTBOUND


def test_the_own_address_is_compared_without_case(web, owner, ann):
    owner.user.email = "Olivia@Example.COM"
    owner.user.save()
    log_email(web, "contact", ann.pk, message_file=eml("text_only_outgoing.eml"))
    assert only_email_note(owner.account).direction == Note.Direction.OUTBOUND


def test_a_pasted_source_is_logged_like_a_file(web, owner, ann):
    source = (EMAILS / "latin1.eml").read_bytes().decode("latin-1")
    source = source.replace("charset=iso-8859-1", "charset=utf-8")  # pasted: text, not bytes
    log_email(web, "contact", ann.pk, raw_message=source)
    note = only_email_note(owner.account)
    assert note.subject == "Résumé de la réunion"
    assert "Voilà le résumé" in note.body


def test_attachments_are_listed_by_name_and_size_and_the_page_says_they_are_not_stored(
    web, owner, ann
):
    response = log_email(web, "contact", ann.pk, message_file=eml("attachments.eml"))
    note = only_email_note(owner.account)
    assert note.attachments == [
        {"name": "contract.pdf", "size": 2048, "content_type": "application/pdf"},
        {"name": "Übersicht März.csv", "size": 18, "content_type": "text/csv"},
        {"name": "Original thread.eml", "size": 184, "content_type": "message/rfc822"},
    ]
    html = response.content.decode()
    assert "contract.pdf" in html and "2.0\xa0KB" in html
    assert "Attachments are listed, not stored" in html
    form = web.get(f"/contacts/{ann.pk}/?log=email").content.decode()
    assert "attachments are listed by name and size, not stored" in form


def test_an_html_body_is_sanitised_before_it_reaches_the_page(web, owner, ann):
    response = log_email(web, "contact", ann.pk, message_file=eml("html_only.eml"))
    note = only_email_note(owner.account)
    for unsafe in ("<script", "onclick", "onerror", "javascript:", "alert("):
        assert unsafe not in note.body
    page = web.get(f"/contacts/{ann.pk}/").content.decode()
    timeline = page.split('class="timeline"')[1]
    assert "alert(" not in timeline and "onerror" not in timeline
    assert "Hello there" in timeline
    assert "alert(" not in response.content.decode().split('class="timeline"')[1]


def test_headers_with_markup_are_escaped_on_the_page(web, owner, ann):
    raw = (
        'From: "<img src=x onerror=alert(1)>" <ann@acme.example>\n'
        "Subject: <script>alert(2)</script>\n\nhi\n"
    )
    log_email(web, "contact", ann.pk, raw_message=raw)
    page = web.get(f"/contacts/{ann.pk}/").content.decode()
    assert "<script>alert(2)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


# -- the contact it links -----------------------------------------------------------------


def test_on_a_deal_it_links_the_first_contact_whose_address_appears(web, owner, pipeline):
    bob = ContactFactory(account=owner.account, email="bob@acme.example")
    ContactFactory(account=owner.account, email="carla@acme.example")
    deal = DealFactory(pipeline=pipeline)
    log_email(web, "deal", deal.pk, message_file=eml("multipart_alternative.eml"))
    note = only_email_note(owner.account)
    # ann@ (From) is no contact; olivia@ is the user; bob@ is the first To that is one.
    assert note.deal == deal and note.contact == bob


def test_an_outgoing_email_links_its_recipient_not_the_user(web, owner):
    company = CompanyFactory(account=owner.account)
    ContactFactory(account=owner.account, email="olivia@example.com")  # the user as a contact
    ann = ContactFactory(account=owner.account, email="ann@acme.example")
    log_email(web, "company", company.pk, message_file=eml("text_only_outgoing.eml"))
    note = only_email_note(owner.account)
    assert note.company == company and note.contact == ann


def test_on_a_contact_the_email_stays_on_that_contact(web, owner):
    zed = ContactFactory(account=owner.account, email="zed@elsewhere.example")
    ContactFactory(account=owner.account, email="ann@acme.example")
    log_email(web, "contact", zed.pk, message_file=eml("text_only_outgoing.eml"))
    assert only_email_note(owner.account).contact == zed


def test_another_accounts_contacts_are_never_linked(web, owner, outsider):
    ContactFactory(account=outsider.account, email="ann@acme.example")
    company = CompanyFactory(account=owner.account)
    log_email(web, "company", company.pk, message_file=eml("text_only_outgoing.eml"))
    assert only_email_note(owner.account).contact is None


def test_linking_costs_one_query_however_many_addresses(web, owner):
    company = CompanyFactory(account=owner.account)

    def logged(recipients):
        raw = f"From: olivia@example.com\nTo: {', '.join(recipients)}\nSubject: x\n\nhi\n"
        with capture_queries() as queries:
            assert log_email(web, "company", company.pk, raw_message=raw).status_code == 200
        return queries

    small = logged([ContactFactory(account=owner.account).email])
    large = logged([ContactFactory(account=owner.account).email for _ in range(6)])
    assert_same_count(small, large)


# -- typed by hand ------------------------------------------------------------------------


def test_a_typed_email_is_logged_with_its_fields(web, owner, ann):
    log_email(
        web,
        "contact",
        ann.pk,
        direction="inbound",
        subject="  Call me  ",
        occurred_at="2026-03-02T09:30",
        from_address="Ann Lee <ann@acme.example>",
        to_addresses="olivia@example.com, sam@example.com",
        body="Line one\n\nLine <two>",
    )
    note = only_email_note(owner.account)
    assert (note.direction, note.subject) == ("inbound", "Call me")
    assert note.from_address == "Ann Lee <ann@acme.example>"
    assert note.to_addresses == ["olivia@example.com", "sam@example.com"]
    assert note.body == "<p>Line one</p>\n\n<p>Line &lt;two&gt;</p>"
    assert note.occurred_at == datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def test_a_typed_sent_email_is_from_the_user_by_default(web, owner, ann):
    log_email(web, "contact", ann.pk, direction="outbound", body="Sent it.")
    note = only_email_note(owner.account)
    assert (note.direction, note.from_address) == ("outbound", "olivia@example.com")


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"body": ""}, "Write the message"),
        ({"body": "x", "from_address": "not an address"}, "Enter email addresses"),
        ({"body": "x", "from_address": "a@b.example, c@d.example"}, "Enter one address"),
        ({"body": "x", "to_addresses": "@@@"}, "Enter email addresses"),
        ({"body": "x", "occurred_at": "0001-01-01T00:00"}, "between the years"),
        ({"body": "x", "direction": "sideways"}, "Select a valid choice"),
    ],
)
def test_typed_mistakes_are_form_errors(web, owner, ann, fields, error):
    response = log_email(web, "contact", ann.pk, **fields)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Note.objects.for_account(owner.account).exists()


# -- what is refused ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("not_an_email.txt", "This is not an email message"),
        ("no_sender.eml", "no sender"),
    ],
)
def test_a_malformed_file_is_a_clear_form_error(web, owner, ann, name, error):
    response = log_email(web, "contact", ann.pk, message_file=eml(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html and 'role="alert"' in html
    assert not Note.objects.for_account(owner.account).exists()


def test_binary_junk_and_an_empty_file_are_form_errors(web, owner, ann):
    junk = SimpleUploadedFile("x.eml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert (
        "not an email message"
        in log_email(web, "contact", ann.pk, message_file=junk).content.decode()
    )
    empty = SimpleUploadedFile("x.eml", b"")
    assert (
        "The file is empty"
        in log_email(web, "contact", ann.pk, message_file=empty).content.decode()
    )
    assert not Note.objects.for_account(owner.account).exists()


def test_a_file_and_a_pasted_source_together_are_refused(web, owner, ann):
    response = log_email(
        web,
        "contact",
        ann.pk,
        message_file=eml("text_only_outgoing.eml"),
        raw_message="From: a@b.example\n\nhi",
    )
    assert "not both" in response.content.decode()
    assert not Note.objects.for_account(owner.account).exists()


def test_a_file_over_the_limit_is_refused(web, owner, ann, settings):
    settings.MAX_UPLOAD_BYTES = 64 * 1024  # the form's limit follows the site's
    assert message_limit() == 48 * 1024
    big = SimpleUploadedFile("big.eml", b"From: a@b.example\n\n" + b"x" * 50 * 1024)
    response = log_email(web, "contact", ann.pk, message_file=big)
    assert "the limit is" in response.content.decode()
    assert not Note.objects.for_account(owner.account).exists()


def test_without_javascript_it_redirects_back_with_the_error(web, owner, ann):
    response = web.post(
        f"/timeline/contact/{ann.pk}/log/",
        {"kind": "email", "log-email-message_file": eml("no_sender.eml")},
        HTTP_REFERER=f"http://testserver/contacts/{ann.pk}/",
    )
    assert response.status_code == 302
    page = web.get(response["Location"]).content.decode()
    assert "no sender" in page


def test_the_form_is_multipart_and_offers_the_drop_zone(web, ann):
    html = web.get(f"/timeline/contact/{ann.pk}/log/?kind=email", **HTMX).content.decode()
    assert 'enctype="multipart/form-data"' in html and 'hx-encoding="multipart/form-data"' in html
    assert "data-email-drop" in html and 'type="file"' in html and 'accept=".eml' in html
    assert "Log email" in html


# -- tenancy ------------------------------------------------------------------------------


def test_the_outsider_cannot_log_an_email_on_the_owners_contact(owner, outsider, ann):
    client = Client()
    client.force_login(outsider.user)
    response = client.post(
        f"/timeline/contact/{ann.pk}/log/",
        {"kind": "email", "log-email-message_file": eml("multipart_alternative.eml")},
        **HTMX,
    )
    assert response.status_code == 404
    assert not Note.objects.for_account(owner.account).exists()
    assert not Note.objects.for_account(outsider.account).exists()


def test_a_teammate_logs_with_their_own_address_as_the_own_one(owner, teammate, ann):
    client = Client()
    client.force_login(teammate.user)
    raw = f"From: {teammate.user.email}\nTo: ann@acme.example\nSubject: x\n\nhi\n"
    client.post(
        f"/timeline/contact/{ann.pk}/log/",
        {"kind": "email", "log-email-raw_message": raw},
        **HTMX,
    )
    note = only_email_note(owner.account)
    assert (note.author, note.direction) == (teammate.user, Note.Direction.OUTBOUND)
