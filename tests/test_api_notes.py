"""/api/v1/crm/notes/: sanitised bodies, logged communications, search."""

import pytest

from notes.models import Note
from tests.factories import ContactFactory, NoteFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/notes/"


def post(actor, **body):
    return actor.client.post(URL, body, format="json")


def test_create_answers_the_full_representation_with_the_author(owner):
    contact = ContactFactory(account=owner.account)
    response = post(owner, body="<p>Met <b>Ann</b></p>", contact=contact.pk)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {
        "id",
        "body",
        "kind",
        "direction",
        "occurred_at",
        "contact",
        "company",
        "deal",
        "author",
        "created_at",
        "updated_at",
    }
    assert (body["body"], body["kind"], body["direction"], body["author"]) == (
        "<p>Met <b>Ann</b></p>",
        "note",
        None,
        owner.user.pk,
    )
    assert body["occurred_at"]


XSS = [
    ("<script>alert(1)</script>Hello", "Hello"),
    ('<img src=x onerror="alert(1)">Hi', "Hi"),
    ('<a href="javascript:alert(1)">link</a>', '<a rel="noopener noreferrer nofollow">link</a>'),
    ('<a href="JAVASCRIPT:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
    ('<svg onload="alert(1)"><circle/></svg>ok', "ok"),
    ('<p onclick="steal()">text</p>', "<p>text</p>"),
    ("<style>*{display:none}</style>visible", "visible"),
    ('<iframe src="https://evil.example"></iframe>safe', "safe"),
    (
        '<a href="https://ok.example" onmouseover="x()">ok</a>',
        '<a href="https://ok.example" rel="noopener noreferrer nofollow">ok</a>',
    ),
    ("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", ""),
    (
        "<b>bold</b> <em>em</em> <ul><li>one</li></ul>",
        "<b>bold</b> <em>em</em> <ul><li>one</li></ul>",
    ),
    ('<div style="color:red">plain</div>', "plain"),
]


@pytest.mark.parametrize(("given", "stored"), XSS)
def test_bodies_keep_basic_formatting_and_lose_everything_else(owner, given, stored):
    response = post(owner, body=given)
    if not stored:  # nothing safe is left: refused rather than saved empty
        assert response.status_code == 400
        return
    assert response.status_code == 201, response.json()
    assert response.json()["body"] == stored
    assert Note.objects.for_account(owner.account).get().body == stored


def test_a_body_that_is_nothing_but_unsafe_html_is_a_400(owner):
    response = post(owner, body="<script>alert(1)</script>")
    assert response.status_code == 400
    assert "body" in response.json()


def test_bodies_are_sanitised_whoever_saves_them(owner):
    note = NoteFactory(account=owner.account, body="<img src=x onerror=alert(1)><p>x</p>")
    assert note.body == "<p>x</p>"


@pytest.mark.parametrize("body", ["", "x" * 10_001])
def test_body_length_is_1_to_10000(owner, body):
    assert post(owner, body=body).status_code == 400
    assert post(owner, body="x" * 10_000).status_code == 201


def test_logged_communications_have_a_direction(owner):
    body = post(
        owner, body="Called", kind="call", direction="outbound", occurred_at="2026-01-05T10:00:00Z"
    ).json()
    assert (body["kind"], body["direction"], body["occurred_at"]) == (
        "call",
        "outbound",
        "2026-01-05T10:00:00Z",
    )
    response = post(owner, body="x", kind="note", direction="inbound")
    assert response.status_code == 400 and "direction" in response.json()
    assert post(owner, body="x", kind="fax").status_code == 400
    assert post(owner, body="x", kind="sms", direction="sideways").status_code == 400


def test_the_author_is_read_only(owner, teammate):
    body = post(owner, body="x", author=teammate.user.pk).json()
    assert body["author"] == owner.user.pk


def test_notes_search_and_filters(owner):
    contact = ContactFactory(account=owner.account)
    NoteFactory(
        account=owner.account,
        body="<p>Pricing discussion with procurement</p>",
        contact=contact,
        kind="email",
    )
    NoteFactory(account=owner.account, body="Lunch next week", kind="call")
    get = lambda q: [n["body"] for n in owner.client.get(URL, q).json()["results"]]  # noqa: E731
    assert get({"search": "pric proc"}) == ["<p>Pricing discussion with procurement</p>"]
    assert get({"search": "discussion lunch"}) == []
    assert get({"kind": "call"}) == ["Lunch next week"]
    assert len(get({"contact": contact.pk})) == 1


def test_newest_first_by_default(owner):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    NoteFactory(account=owner.account, body="old", occurred_at=now - dt.timedelta(days=2))
    NoteFactory(account=owner.account, body="new", occurred_at=now)
    assert [n["body"] for n in owner.client.get(URL).json()["results"]] == ["new", "old"]
    assert [
        n["body"] for n in owner.client.get(URL, {"ordering": "occurred_at"}).json()["results"]
    ] == ["old", "new"]


def test_titles_keep_paragraphs_apart():
    from notes.sanitize import plain_text

    assert plain_text("<p>Hi Donna</p><p>Thanks &amp; bye</p>") == "Hi Donna Thanks & bye"
    assert plain_text("<ul><li>a</li><li>b</li></ul>x<br>y") == "a b x y"
    assert plain_text("x" * 200, limit=10) == "x" * 9 + "…"
