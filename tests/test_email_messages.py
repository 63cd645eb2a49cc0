"""Reading a raw email for the log (notes/email_messages.py): bodies of every shape,
charsets, encoded headers, attachments listed by name and size, and broken input
refused with a sentence, never an exception."""

import contextlib
import datetime
from pathlib import Path

import pytest

from notes.email_messages import (
    CUT_MARK,
    EMPTY_BODY,
    MAX_BODY_CHARS,
    MAX_MESSAGE_BYTES,
    MalformedMessage,
    parse_message,
    read_addresses,
)

EMAILS = Path(__file__).parent / "fixtures" / "emails"


def parsed(name):
    return parse_message((EMAILS / name).read_bytes())


def test_multipart_alternative_keeps_the_html_part_sanitised():
    email = parsed("multipart_alternative.eml")
    assert "(html part)" in email.body and "(plain part)" not in email.body
    assert "<b>Q3 pricing</b>" in email.body
    # The document's head (title, styles) goes with its text; blocks keep apart.
    assert "color: red" not in email.body and "Q3</" not in email.body
    assert "Hi Olivia,<br>Could we" in email.body


def test_encoded_headers_are_decoded():
    email = parsed("multipart_alternative.eml")
    assert email.subject == "Re: Q3 pricing — naïve question"
    assert email.sender == "Ann Lee <Ann@Acme.example>"
    assert email.to == ["Olivia <olivia@example.com>", "Bob Stone <bob@acme.example>"]
    assert email.cc == ["carla@acme.example"]
    assert email.sent_at == datetime.datetime(2026, 3, 10, 13, 5, tzinfo=datetime.UTC)


def test_addresses_are_bare_lower_cased_and_in_header_order():
    email = parsed("multipart_alternative.eml")
    assert email.addresses() == [
        "ann@acme.example",
        "olivia@example.com",
        "bob@acme.example",
        "carla@acme.example",
    ]


def test_a_text_only_message_becomes_escaped_paragraphs():
    email = parsed("text_only_outgoing.eml")
    assert email.body == (
        "<p>Hi Ann,</p>\n\n<p>Here is the proposal &lt;as promised&gt; &amp; more.<br>Line two.</p>"
    )


def test_a_non_utf8_charset_is_decoded_in_body_and_headers():
    email = parsed("latin1.eml")
    assert email.subject == "Résumé de la réunion"
    assert email.sender == "Renée Dürr <renee@globex.example>"
    assert "Voilà le résumé de la réunion, très bien." in email.body


def test_an_unknown_charset_falls_back_to_replacement_characters():
    raw = (
        b"From: ann@acme.example\nSubject: Odd\nContent-Type: text/plain; charset=x-nonsense\n"
        b"\nCaf\xe9 ok\n"
    )
    email = parse_message(raw)
    assert "Caf\ufffd ok" in email.body


def test_html_only_bodies_lose_scripts_handlers_and_javascript_links():
    body = parsed("html_only.eml").body
    unsafe = ("<script", "alert", "onclick", "onerror", "javascript:", "<iframe", "<svg", "<img")
    assert not [marker for marker in unsafe if marker in body]
    assert '<a href="https://acme.example/offer" rel="noopener noreferrer nofollow">' in body
    assert "Hello there" in body


def test_attachments_are_listed_by_name_and_size():
    email = parsed("attachments.eml")
    assert email.body == "<p>Please find the contract attached.</p>"
    assert [(a.name, a.size, a.content_type) for a in email.attachments] == [
        ("contract.pdf", 2048, "application/pdf"),
        ("Übersicht März.csv", 18, "text/csv"),  # RFC 2231 file name
        ("Original thread.eml", 184, "message/rfc822"),  # a forwarded message is one
    ]


def test_a_message_without_text_says_so():
    raw = b"From: ann@acme.example\nSubject: Empty\nContent-Type: text/plain\n\n   \n"
    assert parse_message(raw).body == EMPTY_BODY


def test_a_long_html_body_falls_back_to_its_text_cut_to_fit_a_note():
    html = "<p>" + "word " * 5_000 + "</p>"
    raw = (
        "From: ann@acme.example\nSubject: Long\nContent-Type: text/html; charset=utf-8\n\n" + html
    ).encode()
    body = parse_message(raw).body
    assert len(body) <= MAX_BODY_CHARS and body.endswith(CUT_MARK)
    assert body.startswith("<p>word word")


def test_a_missing_or_impossible_date_is_no_date():
    assert parse_message(b"From: ann@acme.example\nSubject: x\n\nhi").sent_at is None
    raw = b"From: ann@acme.example\nDate: not a date\n\nhi"
    assert parse_message(raw).sent_at is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty"),
        (b"   \r\n ", "empty"),
        ((EMAILS / "not_an_email.txt").read_bytes(), "not an email message"),
        (b"%PDF-1.4\n\x00\x01\x02binary", "not an email message"),
        ((EMAILS / "no_sender.eml").read_bytes(), "no sender"),
        (b"From: not an address\nSubject: x\n\nhi", "no sender"),
        (b"From: =?utf-8?q?broken\nTo: @@@\nSubject: =?x?b?!!!?=\n\nhi", "no sender"),
    ],
)
def test_malformed_messages_are_refused_with_a_reason(raw, message):
    with pytest.raises(MalformedMessage, match=message):
        parse_message(raw)


def test_a_message_over_the_limit_is_refused():
    with pytest.raises(MalformedMessage, match="larger than 10 MB"):
        parse_message(b"From: a@b.example\n\n" + b"x" * MAX_MESSAGE_BYTES)


@pytest.mark.parametrize(
    "header",
    [
        b'From: "unterminated <a@b.example>\n',
        b"From: <>\n",
        b"From: a@b.example\nTo: =?utf-8?b?\xff\xfe?= <x@y.example>, (comment\n",
        b"From: a@b.example\nContent-Type: multipart/mixed; boundary=\n",
        b"From: a@b.example\nContent-Type: multipart/mixed\n",
        b"From: a@b.example\nContent-Disposition: attachment; filename*=bogus''%ZZ\n",
    ],
)
def test_broken_headers_never_raise_anything_else(header):
    with contextlib.suppress(MalformedMessage):
        parse_message(header + b"\nbody\n")


def test_read_addresses_takes_typed_lists_and_skips_junk():
    assert read_addresses("ann@acme.example, Bob <BOB@acme.example>; nonsense") == [
        ("ann@acme.example", "ann@acme.example"),
        ("Bob <BOB@acme.example>", "bob@acme.example"),
    ]
    assert read_addresses("") == [] and read_addresses("no address here") == []
