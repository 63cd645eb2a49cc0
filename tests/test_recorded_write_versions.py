"""A recorded write trusts the caller's copy of a record only while the row's version
(`updated_at`) is the one that copy was read at (events.recording.current): a stale
or locally changed copy never ends up in an event's `before`, nor undoes another
write; and renaming or deleting a tag moves the version of the records carrying it."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Tag
from companies.models import Company
from contacts.models import Contact
from contacts.services import contact_tag_add, contact_update
from events.models import Event, Source
from notes.models import Note
from notes.services import note_update
from tests.factories import CompanyFactory, ContactFactory, NoteFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/crm"


def read(model, record):
    return model.objects.for_account(record.account_id).with_tag_list().get(pk=record.pk)


def last_event(account):
    return Event.objects.for_account(account).order_by("-id").first()


def test_a_copy_changed_in_memory_is_compared_as_it_was_read(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada", title="CTO")
    copy = read(Contact, contact)
    copy.first_name = "Grace"  # what a ModelForm's validation does to its instance
    contact_update(contact=copy, by=owner.user, source=Source.UI, data={"first_name": "Grace"})
    assert last_event(owner.account).changes == {"first_name": ["Ada", "Grace"]}
    assert read(Contact, contact).first_name == "Grace"


def test_a_stale_copy_neither_undoes_the_newer_write_nor_reports_it(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada", title="CTO")
    stale = read(Contact, contact)
    contact_update(
        contact=read(Contact, contact), by=owner.user, source=Source.API, data={"title": "CEO"}
    )
    contact_update(contact=stale, by=owner.user, source=Source.API, data={"first_name": "Grace"})
    stored = read(Contact, contact)
    assert (stored.first_name, stored.title) == ("Grace", "CEO")
    event = last_event(owner.account)
    assert event.changes == {"first_name": ["Ada", "Grace"]}
    assert event.data["title"] == "CEO"


def test_a_copy_read_after_the_last_write_is_not_read_again(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada")
    copy = read(Contact, contact)
    with CaptureQueriesContext(connection) as queries:
        contact_update(contact=copy, by=owner.user, source=Source.API, data={"first_name": "B"})
    reads = [q["sql"] for q in queries if q["sql"].startswith('SELECT "contacts_contact"."id"')]
    assert reads == [], "\n".join(reads)
    # ...and the copy stays current for the next write.
    with CaptureQueriesContext(connection) as queries:
        contact_update(contact=copy, by=owner.user, source=Source.API, data={"first_name": "C"})
    assert not any(q["sql"].startswith('SELECT "contacts_contact"."id"') for q in queries)
    assert last_event(owner.account).changes == {"first_name": ["B", "C"]}


def test_a_note_changed_in_memory_is_compared_as_it_was_read(owner):
    note = NoteFactory(account=owner.account, body="<p>one</p>")
    copy = Note.objects.for_account(owner.account).get(pk=note.pk)
    copy.body = "<p>two</p>"
    note_update(note=copy, by=owner.user, source=Source.UI, data={"body": "<p>two</p>"})
    assert last_event(owner.account).changes == {"body": ["<p>one</p>", "<p>two</p>"]}


def test_custom_fields_changed_in_place_are_compared_as_they_were_read(owner):
    contact = ContactFactory(account=owner.account, custom_fields={"tier": "gold"})
    copy = read(Contact, contact)
    copy.custom_fields["tier"] = "silver"  # the dict read, changed in place
    contact_update(
        contact=copy, by=owner.user, source=Source.API, data={"custom_fields": copy.custom_fields}
    )
    assert last_event(owner.account).changes == {
        "custom_fields": [{"tier": "gold"}, {"tier": "silver"}]
    }


def test_a_copy_of_a_deleted_record_is_not_found(owner):
    contact = ContactFactory(account=owner.account)
    copy = read(Contact, contact)
    Contact.objects.for_account(owner.account).filter(pk=contact.pk).delete()
    with pytest.raises(Contact.DoesNotExist):
        contact_update(contact=copy, by=owner.user, source=Source.API, data={"first_name": "X"})
    assert not Event.objects.for_account(owner.account).exists()


def tagged(owner):
    contact = ContactFactory(account=owner.account)
    company = CompanyFactory(account=owner.account)
    for path, record in (("contacts", contact), ("companies", company)):
        response = owner.client.post(
            f"{API}/{path}/{record.pk}/tags/", {"name": "vip"}, format="json"
        )
        assert response.status_code == 200
    tag = Tag.objects.for_account(owner.account).get(name="vip")
    return tag, read(Contact, contact), read(Company, company)


def versions(contact, company):
    return (read(Contact, contact).updated_at, read(Company, company).updated_at)


def test_renaming_a_tag_moves_the_version_of_the_records_that_carry_it(owner):
    tag, contact, company = tagged(owner)
    untouched = ContactFactory(account=owner.account)
    before = versions(contact, company)
    etag = owner.client.get(f"{API}/contacts/{contact.pk}/")["ETag"]
    response = owner.client.patch(f"{API}/tags/{tag.pk}/", {"name": "gold"}, format="json")
    assert response.status_code == 200
    after = versions(contact, company)
    assert after[0] > before[0] and after[1] > before[1]
    assert owner.client.get(f"{API}/contacts/{contact.pk}/")["ETag"] != etag
    assert read(Contact, untouched).updated_at == untouched.updated_at


def test_changing_only_a_tags_colour_moves_no_record(owner):
    tag, contact, company = tagged(owner)
    before = versions(contact, company)
    response = owner.client.patch(f"{API}/tags/{tag.pk}/", {"color": "#ff0000"}, format="json")
    assert response.status_code == 200
    assert versions(contact, company) == before


def test_deleting_a_tag_moves_the_version_of_the_records_that_carried_it(owner):
    tag, contact, company = tagged(owner)
    before = versions(contact, company)
    assert owner.client.delete(f"{API}/tags/{tag.pk}/").status_code == 204
    after = versions(contact, company)
    assert after[0] > before[0] and after[1] > before[1]
    assert read(Contact, contact).tag_list == []


def test_a_copy_read_before_its_tag_was_renamed_records_the_new_name(owner):
    tag, contact, _company = tagged(owner)
    stale = contact  # read with tag "vip"
    owner.client.patch(f"{API}/tags/{tag.pk}/", {"name": "gold"}, format="json")
    contact_update(contact=stale, by=owner.user, source=Source.API, data={"first_name": "Z"})
    assert [t["name"] for t in last_event(owner.account).data["tags"]] == ["gold"]


def test_a_tag_added_through_a_stale_copy_keeps_the_tags_added_since(owner):
    contact = ContactFactory(account=owner.account)
    stale = read(Contact, contact)
    contact_tag_add(contact=read(Contact, contact), by=owner.user, source=Source.API, name="a")
    contact_tag_add(contact=stale, by=owner.user, source=Source.API, name="b")
    assert sorted(t.name for t in read(Contact, contact).tag_list) == ["a", "b"]


@pytest.fixture
def admin_client(owner):
    owner.user.is_staff = True
    owner.user.is_superuser = True
    owner.user.save()
    client = Client()
    client.force_login(owner.user)
    return client


def test_renaming_and_deleting_a_tag_in_the_admin_move_the_records_versions(owner, admin_client):
    tag, contact, company = tagged(owner)
    before = versions(contact, company)
    response = admin_client.post(
        f"/admin/accounts/tag/{tag.pk}/change/",
        {"account": owner.account.pk, "name": "gold", "color": ""},
    )
    assert response.status_code == 302, response.content[:2000]
    renamed = versions(contact, company)
    assert renamed[0] > before[0] and renamed[1] > before[1]
    response = admin_client.post(f"/admin/accounts/tag/{tag.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    deleted = versions(contact, company)
    assert deleted[0] > renamed[0] and deleted[1] > renamed[1]
    assert not Tag.objects.for_account(owner.account).filter(pk=tag.pk).exists()
