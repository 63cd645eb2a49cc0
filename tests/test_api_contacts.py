"""The contacts API: fields, validation, filters, ordering, pagination and tags."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import Tag
from contacts.models import Contact, ContactTag
from tests.factories import ContactFactory, ContactTagFactory, TagFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/contacts/"


def create(actor, **body):
    return actor.client.post(URL, body, format="json")


def test_create_answers_201_with_the_full_representation(owner):
    response = create(owner, first_name="Alice", last_name="Smith", title="CTO")
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "title",
        "company",
        "owner",
        "custom_fields",
        "tags",
        "created_at",
        "updated_at",
    }
    assert body["owner"] == owner.user.pk  # defaults to the creating user
    assert body["custom_fields"] == {}
    assert body["tags"] == []
    assert body["created_at"].endswith("Z")
    contact = Contact.objects.for_account(owner.account).get(pk=body["id"])
    assert contact.account_id == owner.account.pk


def test_first_name_is_trimmed_and_required(owner):
    assert create(owner, first_name="  Ann  ").json()["first_name"] == "Ann"
    for bad in ("", "   "):
        response = create(owner, first_name=bad)
        assert response.status_code == 400
        assert "first_name" in response.json()
    assert "first_name" in create(owner, last_name="x").json()
    assert create(owner, first_name="x" * 101).status_code == 400
    assert create(owner, first_name="x" * 100).status_code == 201


def test_email_is_lower_cased_and_unique_per_account(owner, outsider):
    assert create(owner, first_name="A", email="Ann@Example.COM").json()["email"] == (
        "ann@example.com"
    )
    duplicate = create(owner, first_name="B", email="ANN@example.com")
    assert duplicate.status_code == 400
    assert "email" in duplicate.json()
    assert create(outsider, first_name="C", email="ann@example.com").status_code == 201
    # Contacts without an email never clash.
    assert create(owner, first_name="D").status_code == 201
    assert create(owner, first_name="E", email="").status_code == 201
    assert create(owner, first_name="F", email=None).json()["email"] == ""


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@b.com", "a b@c.com", "a@b@c.com"])
def test_an_invalid_email_is_a_400_on_email(owner, email):
    response = create(owner, first_name="A", email=email)
    assert response.status_code == 400
    assert "email" in response.json()


def test_changing_email_to_another_contacts_is_a_400(owner):
    ContactFactory(account=owner.account, email="taken@example.com")
    mine = ContactFactory(account=owner.account, email="mine@example.com")
    response = owner.client.patch(f"{URL}{mine.pk}/", {"email": "TAKEN@example.com"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()
    # Saving a contact with its own email is fine.
    response = owner.client.patch(f"{URL}{mine.pk}/", {"email": "mine@example.com"}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("(415) 555-2671", "+14155552671"),
        ("415.555.2671", "+14155552671"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+1 415 555 2671", "+14155552671"),
    ],
)
def test_phone_is_parsed_in_the_accounts_region_and_returned_as_e164(owner, given, stored):
    assert create(owner, first_name="A", phone=given).json()["phone"] == stored


def test_a_phone_without_country_code_follows_the_account_region(owner):
    owner.account.phone_region = "GB"
    owner.account.save()
    assert create(owner, first_name="A", phone="020 7946 0958").json()["phone"] == ("+442079460958")


@pytest.mark.parametrize("phone", ["123", "not a phone", "+1 000 000 0000", "5" * 39])
def test_an_invalid_phone_is_a_400_on_phone(owner, phone):
    response = create(owner, first_name="A", phone=phone)
    assert response.status_code == 400
    assert "phone" in response.json()


def test_custom_fields_accept_flat_scalars(owner):
    fields = {"source": "web", "score": 4.5, "visits": 3, "vip": True, "notes": None}
    assert create(owner, first_name="A", custom_fields=fields).json()["custom_fields"] == fields


@pytest.mark.parametrize(
    "fields", [[1, 2], "text", {"nested": {"a": 1}}, {"list": [1]}, {"": 1}, 5]
)
def test_custom_fields_refuse_anything_else(owner, fields):
    response = create(owner, first_name="A", custom_fields=fields)
    assert response.status_code == 400
    assert "custom_fields" in response.json()


def test_owner_must_be_a_member_of_the_account(owner, teammate, outsider):
    assert create(owner, first_name="A", owner=teammate.user.pk).json()["owner"] == (
        teammate.user.pk
    )
    response = create(owner, first_name="A", owner=outsider.user.pk)
    assert response.status_code == 400
    assert "owner" in response.json()
    assert create(owner, first_name="A", owner=None).json()["owner"] is None


def test_read_only_fields_are_ignored_on_write(owner):
    body = create(owner, first_name="A", id=999999, created_at="2000-01-01T00:00:00Z").json()
    assert body["id"] != 999999
    assert not body["created_at"].startswith("2000")


def test_patch_updates_only_the_fields_sent(owner):
    contact = ContactFactory(account=owner.account, first_name="Ann", last_name="Lee", title="CEO")
    response = owner.client.patch(f"{URL}{contact.pk}/", {"title": "CFO"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["first_name"], body["last_name"], body["title"]) == ("Ann", "Lee", "CFO")


def test_delete_answers_204_and_keeps_the_tags(owner):
    link = ContactTagFactory(contact__account=owner.account)
    response = owner.client.delete(f"{URL}{link.contact.pk}/")
    assert response.status_code == 204
    assert not Contact.objects.for_account(owner.account).exists()
    assert Tag.objects.for_account(owner.account).filter(pk=link.tag.pk).exists()


# -- tags ------------------------------------------------------------------------


def test_tags_are_written_as_names_and_read_as_objects(owner):
    existing = TagFactory(account=owner.account, name="VIP")
    body = create(owner, first_name="A", tags=["vip", "lead", " lead ", "Lead"]).json()
    assert [t["name"] for t in body["tags"]] == ["lead", "VIP"]
    assert {t["id"] for t in body["tags"]} >= {existing.pk}
    assert Tag.objects.for_account(owner.account).count() == 2


def test_writing_tags_replaces_the_contacts_tags(owner):
    contact_id = create(owner, first_name="A", tags=["a", "b"]).json()["id"]
    body = owner.client.patch(f"{URL}{contact_id}/", {"tags": ["b", "c"]}, format="json").json()
    assert [t["name"] for t in body["tags"]] == ["b", "c"]
    body = owner.client.patch(f"{URL}{contact_id}/", {"title": "x"}, format="json").json()
    assert [t["name"] for t in body["tags"]] == ["b", "c"]  # untouched when not sent
    body = owner.client.patch(f"{URL}{contact_id}/", {"tags": []}, format="json").json()
    assert body["tags"] == []
    assert Tag.objects.for_account(owner.account).count() == 3  # tags themselves stay


def test_tags_are_per_account(owner, outsider):
    create(owner, first_name="A", tags=["vip"])
    create(outsider, first_name="B", tags=["vip"])
    assert Tag.objects.for_account(owner.account).get().name == "vip"
    assert Tag.objects.for_account(outsider.account).get().name == "vip"


def test_adding_one_tag_creates_it_if_needed_and_answers_200(owner):
    contact = ContactFactory(account=owner.account)
    response = owner.client.post(f"{URL}{contact.pk}/tags/", {"name": "vip"}, format="json")
    assert response.status_code == 200
    assert [t["name"] for t in response.json()["tags"]] == ["vip"]
    again = owner.client.post(f"{URL}{contact.pk}/tags/", {"name": "VIP"}, format="json")
    assert [t["name"] for t in again.json()["tags"]] == ["vip"]
    assert owner.client.post(f"{URL}{contact.pk}/tags/", {}, format="json").status_code == 400


def test_removing_a_tag_takes_it_off_this_contact_only(owner):
    tag = TagFactory(account=owner.account)
    a = ContactTagFactory(contact__account=owner.account, tag=tag).contact
    b = ContactTagFactory(contact__account=owner.account, tag=tag).contact
    response = owner.client.delete(f"{URL}{a.pk}/tags/{tag.pk}/")
    assert response.status_code == 204
    assert not ContactTag.objects.for_account(owner.account).filter(contact=a).exists()
    assert ContactTag.objects.for_account(owner.account).filter(contact=b).exists()
    assert Tag.objects.for_account(owner.account).filter(pk=tag.pk).exists()
    assert owner.client.delete(f"{URL}{a.pk}/tags/999999/").status_code == 404


# -- lists -----------------------------------------------------------------------


def names(response):
    return [f"{c['first_name']} {c['last_name']}".strip() for c in response.json()["results"]]


def test_default_order_is_last_name_then_first_name(owner):
    for first, last in [("Bob", "Young"), ("Amy", "Young"), ("Zed", "Adams")]:
        ContactFactory(account=owner.account, first_name=first, last_name=last)
    assert names(owner.client.get(URL)) == ["Zed Adams", "Amy Young", "Bob Young"]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("first_name", ["Amy Young", "Bob Young", "Zed Adams"]),
        ("-first_name", ["Zed Adams", "Bob Young", "Amy Young"]),
        ("-last_name", ["Amy Young", "Bob Young", "Zed Adams"]),
        ("created_at", ["Bob Young", "Amy Young", "Zed Adams"]),
        ("-created_at", ["Zed Adams", "Amy Young", "Bob Young"]),
    ],
)
def test_lists_order_by_the_named_fields(owner, ordering, expected):
    base = timezone.now()
    for i, (first, last) in enumerate([("Bob", "Young"), ("Amy", "Young"), ("Zed", "Adams")]):
        c = ContactFactory(account=owner.account, first_name=first, last_name=last)
        Contact.objects.for_account(owner.account).filter(pk=c.pk).update(
            created_at=base + dt.timedelta(minutes=i)
        )
    assert names(owner.client.get(URL, {"ordering": ordering})) == expected


def test_pagination_defaults_to_20_and_caps_at_100(owner):
    ContactFactory.create_batch(105, account=owner.account)
    body = owner.client.get(URL).json()
    assert (body["count"], len(body["results"])) == (105, 20)
    assert body["next"].endswith("page=2") and body["previous"] is None
    assert len(owner.client.get(URL, {"page_size": 1000}).json()["results"]) == 100
    last = owner.client.get(URL, {"page_size": 50, "page": 3}).json()
    assert len(last["results"]) == 5 and last["next"] is None


def test_pages_never_overlap_when_sort_keys_tie(owner):
    ContactFactory.create_batch(30, account=owner.account, first_name="Same", last_name="Name")
    ids = []
    for page in (1, 2, 3):
        ids += [
            c["id"]
            for c in owner.client.get(URL, {"page": page, "page_size": 10}).json()["results"]
        ]
    assert len(ids) == len(set(ids)) == 30


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ali smi", ["Alice Smith"]),
        ("ALI", ["Alice Smith", "Alison Wong"]),
        ("smith", ["Alice Smith", "Bob Smithers"]),
        ("smi ali", ["Alice Smith"]),
        ("bob@acme", ["Bob Smithers"]),
        ("acme", ["Bob Smithers"]),
        ("bob@acme.io", ["Bob Smithers"]),
        ("ith", []),
        ("alice zzz", []),
        ("  ", ["Alice Smith", "Bob Smithers", "Alison Wong"]),
    ],
)
def test_search_matches_every_word_as_a_prefix(owner, query, expected):
    ContactFactory(
        account=owner.account, first_name="Alice", last_name="Smith", email="a.smith@example.com"
    )
    ContactFactory(
        account=owner.account, first_name="Bob", last_name="Smithers", email="bob@acme.io"
    )
    ContactFactory(account=owner.account, first_name="Alison", last_name="Wong", email="")
    got = names(owner.client.get(URL, {"search": query}))
    assert sorted(got) == sorted(expected)


def test_search_survives_query_syntax_characters(owner):
    ContactFactory(account=owner.account, first_name="O'Brien", last_name="Smith")
    for query in ["o'brien", "&|!():*", "'", "smi:*", "a & b", "\\"]:
        response = owner.client.get(URL, {"search": query})
        assert response.status_code == 200, query
    assert names(owner.client.get(URL, {"search": "o'brien"})) == ["O'Brien Smith"]


def test_tag_filter_requires_every_tag(owner):
    both = ContactFactory(account=owner.account, first_name="Both")
    one = ContactFactory(account=owner.account, first_name="One")
    vip = TagFactory(account=owner.account, name="vip")
    lead = TagFactory(account=owner.account, name="lead")
    ContactTagFactory(contact=both, tag=vip)
    ContactTagFactory(contact=both, tag=lead)
    ContactTagFactory(contact=one, tag=vip)
    firsts = lambda r: sorted(c["first_name"] for c in r.json()["results"])  # noqa: E731
    assert firsts(owner.client.get(URL, {"tag": "vip"})) == ["Both", "One"]
    assert firsts(owner.client.get(f"{URL}?tag=vip&tag=LEAD")) == ["Both"]
    assert firsts(owner.client.get(URL, {"tag": "nope"})) == []


def test_owner_filter_takes_an_id_or_me(owner, teammate):
    ContactFactory(account=owner.account, first_name="Mine", owner=owner.user)
    ContactFactory(account=owner.account, first_name="Theirs", owner=teammate.user)
    firsts = lambda r: [c["first_name"] for c in r.json()["results"]]  # noqa: E731
    assert firsts(owner.client.get(URL, {"owner": "me"})) == ["Mine"]
    assert firsts(teammate.client.get(URL, {"owner": "me"})) == ["Theirs"]
    assert firsts(owner.client.get(URL, {"owner": teammate.user.pk})) == ["Theirs"]
    assert owner.client.get(URL, {"owner": "abc"}).status_code == 400


def test_created_filters_bound_the_creation_time(owner):
    old = ContactFactory(account=owner.account, first_name="Old")
    Contact.objects.for_account(owner.account).filter(pk=old.pk).update(
        created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    ContactFactory(account=owner.account, first_name="New")
    firsts = lambda r: [c["first_name"] for c in r.json()["results"]]  # noqa: E731
    assert firsts(owner.client.get(URL, {"created_after": "2021-01-01T00:00:00Z"})) == ["New"]
    assert firsts(owner.client.get(URL, {"created_before": "2021-01-01T00:00:00Z"})) == ["Old"]
    assert owner.client.get(URL, {"created_after": "yesterday"}).status_code == 400


def test_filters_combine_with_and(owner):
    tag = TagFactory(account=owner.account, name="vip")
    hit = ContactFactory(account=owner.account, first_name="Alice", owner=owner.user)
    ContactTagFactory(contact=hit, tag=tag)
    ContactFactory(account=owner.account, first_name="Alice", owner=owner.user)
    body = owner.client.get(URL, {"search": "alice", "tag": "vip", "owner": "me"}).json()
    assert [c["id"] for c in body["results"]] == [hit.pk]


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (None, ["Alan Adams", "Alba Smith", "Alma Smith"]),
        ("-last_name", ["Alba Smith", "Alma Smith", "Alan Adams"]),
        ("-created_at", ["Alba Smith", "Alan Adams", "Alma Smith"]),
    ],
)
def test_search_results_keep_the_requested_order(owner, ordering, expected):
    base = timezone.now()
    for i, (first, last) in enumerate([("Alma", "Smith"), ("Alan", "Adams"), ("Alba", "Smith")]):
        c = ContactFactory(account=owner.account, first_name=first, last_name=last)
        Contact.objects.for_account(owner.account).filter(pk=c.pk).update(
            created_at=base + dt.timedelta(minutes=i)
        )
    ContactFactory(account=owner.account, first_name="Bob", last_name="Brown")
    params = {"search": "al"} | ({"ordering": ordering} if ordering else {})
    assert names(owner.client.get(URL, params)) == expected


@pytest.mark.parametrize(
    "value", ["0638-04-25T19:37:20-18:16", "9999-12-31T23:59:59-10:00", "0001-01-01T00:00:00+05:00"]
)
def test_created_filters_take_any_offset_without_a_server_error(owner, value):
    response = owner.client.get(URL, {"created_after": value})
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert "created_after" in response.json()


def test_created_filters_compare_in_utc(owner):
    contact = ContactFactory(account=owner.account)
    stamp = contact.created_at.astimezone(dt.timezone(dt.timedelta(hours=-18, minutes=-16)))
    assert owner.client.get(URL, {"created_after": stamp.isoformat()}).json()["count"] == 1
    later = (contact.created_at + dt.timedelta(seconds=1)).isoformat()
    assert owner.client.get(URL, {"created_after": later}).json()["count"] == 0
