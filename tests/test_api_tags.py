"""/api/v1/crm/tags/: per-account, case-insensitively unique, safe to delete."""

import pytest

from accounts.models import Tag
from contacts.models import Contact, ContactTag
from tests.factories import ContactTagFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/tags/"


def test_create_answers_201_with_id_name_and_colour(owner):
    response = owner.client.post(URL, {"name": "vip", "color": "#FF0000"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "name", "color"}
    assert (body["name"], body["color"]) == ("vip", "#FF0000")
    assert owner.client.post(URL, {"name": "plain"}, format="json").json()["color"] == ""


@pytest.mark.parametrize("name", ["VIP", "vip", " Vip "])
def test_names_are_unique_per_account_whatever_the_case(owner, outsider, name):
    TagFactory(account=owner.account, name="vip")
    response = owner.client.post(URL, {"name": name}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()
    assert outsider.client.post(URL, {"name": name}, format="json").status_code == 201


def test_renaming_onto_another_tags_name_is_a_400(owner):
    TagFactory(account=owner.account, name="vip")
    other = TagFactory(account=owner.account, name="lead")
    response = owner.client.patch(f"{URL}{other.pk}/", {"name": "VIP"}, format="json")
    assert response.status_code == 400
    assert (
        owner.client.patch(f"{URL}{other.pk}/", {"name": "Lead"}, format="json").json()["name"]
        == "Lead"
    )


@pytest.mark.parametrize(
    "body",
    [
        {"name": ""},
        {"name": "x" * 51},
        {"name": "a\u0007b"},
        {"name": "ok", "color": "red"},
        {"name": "ok", "color": "#12345"},
        {"name": "ok", "color": "#12345g"},
        {},
    ],
)
def test_invalid_tags_are_a_400(owner, body):
    response = owner.client.post(URL, body, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"name", "color"}
    assert not Tag.objects.for_account(owner.account).exists()


def test_deleting_a_tag_removes_it_from_records_and_deletes_no_record(owner):
    link = ContactTagFactory(contact__account=owner.account)
    response = owner.client.delete(f"{URL}{link.tag.pk}/")
    assert response.status_code == 204
    assert not ContactTag.objects.for_account(owner.account).exists()
    assert Contact.objects.for_account(owner.account).filter(pk=link.contact.pk).exists()


def test_tags_list_in_name_order_regardless_of_case(owner):
    for name in ["beta", "Alpha", "gamma"]:
        TagFactory(account=owner.account, name=name)
    body = owner.client.get(URL).json()
    assert [t["name"] for t in body["results"]] == ["Alpha", "beta", "gamma"]


@pytest.mark.parametrize(
    ("first", "second"), [("Été", "ÉTÉ"), ("Straße", "STRASSE"), ("Ωmega", "ωMEGA")]
)
def test_case_is_folded_beyond_ascii_on_every_database(owner, first, second):
    assert owner.client.post(URL, {"name": first}, format="json").status_code == 201
    response = owner.client.post(URL, {"name": second}, format="json")
    assert response.status_code == 400
    contact = owner.client.post(
        "/api/v1/crm/contacts/", {"first_name": "A", "tags": [second]}, format="json"
    ).json()
    assert [t["name"] for t in contact["tags"]] == [first]
    assert Tag.objects.for_account(owner.account).count() == 1


def test_tags_added_in_bulk_get_their_key(owner):
    Tag.objects.for_account(owner.account).bulk_create([Tag(account=owner.account, name=" VIP ")])
    assert owner.client.post(URL, {"name": "vip"}, format="json").status_code == 400


def test_a_name_taken_meanwhile_is_a_400_on_name_and_writes_nothing(owner, monkeypatch):
    # The serializer's own check is switched off, so the database meets the taken name
    # as it does when a concurrent request commits it between check and write.
    monkeypatch.setattr("accounts.api.serializers.TagSerializer.validate_name", lambda s, v: v)
    TagFactory(account=owner.account, name="vip")
    other = TagFactory(account=owner.account, name="lead")
    response = owner.client.post(URL, {"name": "VIP"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["A tag with this name already exists."]}
    response = owner.client.patch(f"{URL}{other.pk}/", {"name": "Vip"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["A tag with this name already exists."]}
    names = Tag.objects.for_account(owner.account).values_list("name", flat=True)
    assert sorted(names) == ["lead", "vip"]
