"""Every path into the notes table sanitises the body: the pages render it as stored."""

import pytest
from django.db.models import F, Value
from django.db.models.functions import Concat

from notes.models import Note
from tests.factories import ContactFactory, NoteFactory
from tests.web_client import client_for

pytestmark = pytest.mark.django_db
ATTACK = '<p>ok</p><img src=x onerror="alert(1)"><script>alert(2)</script>'
CLEAN = "<p>ok</p>"


def notes(actor):
    return Note.objects.for_account(actor.account)


def test_save_sanitises_the_body(owner):
    note = NoteFactory(account=owner.account, body=ATTACK)
    assert notes(owner).get(pk=note.pk).body == CLEAN


def test_bulk_create_sanitises_every_body(owner):
    notes(owner).bulk_create(
        [
            Note(account=owner.account, body=ATTACK),
            Note(account=owner.account, body="<b onclick=x()>b</b>"),
        ]
    )
    assert sorted(notes(owner).values_list("body", flat=True)) == ["<b>b</b>", CLEAN]


def test_bulk_update_sanitises_every_body(owner):
    first, second = NoteFactory(account=owner.account), NoteFactory(account=owner.account)
    first.body, second.body = ATTACK, "<svg onload=x()></svg>fine"
    notes(owner).bulk_update([first, second], ["body"])
    assert notes(owner).get(pk=first.pk).body == CLEAN
    assert notes(owner).get(pk=second.pk).body == "fine"


def test_update_sanitises_the_body(owner):
    note = NoteFactory(account=owner.account)
    assert notes(owner).filter(pk=note.pk).update(body=ATTACK) == 1
    assert notes(owner).get(pk=note.pk).body == CLEAN


def test_a_related_managers_update_sanitises_the_body(owner):
    contact = ContactFactory(account=owner.account)
    note = NoteFactory(account=owner.account, contact=contact)
    contact.notes.update(body=ATTACK)
    assert notes(owner).get(pk=note.pk).body == CLEAN


@pytest.mark.parametrize("expression", [F("kind"), Concat(Value("<script>"), F("body"))])
def test_update_refuses_a_body_assembled_in_the_database(owner, expression):
    note = NoteFactory(account=owner.account, body=CLEAN)
    with pytest.raises(TypeError):
        notes(owner).filter(pk=note.pk).update(body=expression)
    assert notes(owner).get(pk=note.pk).body == CLEAN


def test_the_notes_page_shows_a_bulk_created_body_without_its_script(owner):
    notes(owner).bulk_create([Note(account=owner.account, author=owner.user, body=ATTACK)])
    html = client_for(owner).get("/notes/").content.decode()
    assert "<p>ok</p>" in html
    assert "onerror" not in html and "alert(2)" not in html
