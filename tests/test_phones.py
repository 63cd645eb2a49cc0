"""Stored phone numbers load without parsing, and behave like the library's numbers."""

import copy
import pickle

import phonenumbers
import pytest
from phonenumber_field.phonenumber import PhoneNumber

from contacts.models import Contact
from contacts.phones import StoredPhoneNumber
from tests.factories import ContactFactory


def test_a_stored_number_is_its_text_until_its_parts_are_needed(monkeypatch):
    calls = []
    real_parse = phonenumbers.parse
    monkeypatch.setattr(
        phonenumbers, "parse", lambda *a, **k: calls.append(a) or real_parse(*a, **k)
    )
    number = StoredPhoneNumber(stored="+14155552671")
    assert str(number) == "+14155552671" and len(number) == 12 and bool(number)
    assert hash(number) == hash("+14155552671")
    assert calls == []
    assert number.country_code == 1 and number.national_number == 4155552671
    assert number.is_valid()
    assert number.as_international == "+1 415-555-2671"
    assert len(calls) == 1  # parsed once, then kept


def test_a_stored_number_equals_the_same_number_however_written():
    number = StoredPhoneNumber(stored="+14155552671")
    assert number == PhoneNumber.from_string("+1 (415) 555-2671")
    assert number == "+14155552671"
    assert number != StoredPhoneNumber(stored="+14155552672")
    assert {number: 1}[StoredPhoneNumber(stored="+14155552671")] == 1


def test_an_invalid_stored_text_stays_as_it_was():
    number = StoredPhoneNumber(stored="call reception")
    assert str(number) == "call reception"
    assert not number.is_valid()
    assert str(number) == "call reception"  # after the parse too


def test_copies_and_pickles_keep_the_number():
    number = StoredPhoneNumber(stored="+442079460000")
    for clone in (copy.deepcopy(number), pickle.loads(pickle.dumps(number))):
        assert str(clone) == "+442079460000"
        assert clone.country_code == 44


@pytest.mark.django_db
def test_contacts_load_stored_numbers_and_save_them_back_unchanged(owner):
    ContactFactory(account=owner.account, phone="+14155552671")
    contact = Contact.objects.for_account(owner.account).get()
    assert type(contact.phone) is StoredPhoneNumber
    contact.title = "Buyer"
    contact.save()
    again = Contact.objects.for_account(owner.account).get()
    assert str(again.phone) == "+14155552671"
    body = owner.client.get(f"/api/v1/crm/contacts/{contact.pk}/").json()
    assert body["phone"] == "+14155552671"
    contact.phone = "+1 650 253 0000"
    contact.save()
    assert str(Contact.objects.for_account(owner.account).get().phone) == "+16502530000"
