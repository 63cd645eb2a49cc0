"""POST /contacts/bulk-import/: all or nothing, duplicates, constant queries."""

import pytest

from accounts.models import Tag
from contacts.models import Contact, ContactTag
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/crm/contacts/bulk-import/"


def rows(n, start=0, **extra):
    return [
        {"first_name": f"P{i}", "last_name": "Bulk", "email": f"p{i}@example.com", **extra}
        for i in range(start, start + n)
    ]


def contacts(actor):
    return Contact.objects.for_account(actor.account)


def test_it_creates_every_row_and_answers_ids_in_row_order(owner, teammate):
    body = rows(3)
    body[1] |= {
        "phone": "415 555 2671",
        "tags": ["vip"],
        "owner": teammate.user.pk,
        "custom_fields": {"source": "import"},
    }
    response = owner.client.post(URL, {"contacts": body}, format="json")
    assert response.status_code == 201, response.json()
    result = response.json()
    assert (result["created"], result["updated"], result["skipped"]) == (3, 0, 0)
    created = {c.pk: c for c in contacts(owner)}
    assert [created[i].email for i in result["ids"]] == [r["email"] for r in body]
    second = created[result["ids"][1]]
    assert (str(second.phone), second.owner_id, second.custom_fields) == (
        "+14155552671",
        teammate.user.pk,
        {"source": "import"},
    )
    assert [t.name for t in second.tags.all()] == ["vip"]
    assert created[result["ids"][0]].owner_id == owner.user.pk


def test_one_invalid_row_writes_nothing_and_every_invalid_row_is_reported(owner):
    body = rows(10)
    body[3]["email"] = "broken"
    body[7]["first_name"] = ""
    body[8]["phone"] = "12"
    body[5]["tags"] = ["fresh-tag"]
    response = owner.client.post(URL, {"contacts": body}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [(e["index"], sorted(e["errors"])) for e in errors] == [
        (3, ["email"]),
        (7, ["first_name"]),
        (8, ["phone"]),
    ]
    assert not contacts(owner).exists()
    assert not Tag.objects.for_account(owner.account).exists()


def test_a_row_that_is_not_an_object_is_reported_by_index(owner):
    response = owner.client.post(URL, {"contacts": [{"first_name": "A"}, "oops", 3]}, format="json")
    assert response.status_code == 400
    assert [e["index"] for e in response.json()["errors"]] == [1, 2]
    assert not contacts(owner).exists()


@pytest.mark.parametrize("count", [0, 1001])
def test_it_needs_1_to_1000_rows(owner, count):
    response = owner.client.post(URL, {"contacts": rows(count)}, format="json")
    assert response.status_code == 400
    assert "contacts" in response.json()
    assert not contacts(owner).exists()


def test_it_accepts_1000_rows(owner):
    response = owner.client.post(URL, {"contacts": rows(1000)}, format="json")
    assert response.status_code == 201
    assert response.json()["created"] == 1000
    assert contacts(owner).count() == 1000


def test_on_duplicate_must_be_a_known_mode(owner):
    response = owner.client.post(URL, {"contacts": rows(1), "on_duplicate": "merge"}, format="json")
    assert response.status_code == 400
    assert "on_duplicate" in response.json()


def test_duplicates_are_errors_by_default(owner):
    ContactFactory(account=owner.account, email="p1@example.com")
    body = rows(3) + [{"first_name": "Again", "email": "P2@example.com"}]
    response = owner.client.post(URL, {"contacts": body}, format="json")
    assert response.status_code == 400
    assert [(e["index"], list(e["errors"])) for e in response.json()["errors"]] == [
        (1, ["email"]),
        (3, ["email"]),
    ]
    assert contacts(owner).count() == 1


def test_skip_leaves_duplicates_as_they_are(owner):
    existing = ContactFactory(account=owner.account, email="p1@example.com", first_name="Old")
    body = rows(3) + [{"first_name": "Again", "email": "p2@example.com"}]
    response = owner.client.post(URL, {"contacts": body, "on_duplicate": "skip"}, format="json")
    assert response.status_code == 201
    result = response.json()
    assert (result["created"], result["updated"], result["skipped"]) == (2, 0, 2)
    assert result["ids"][1] == existing.pk
    assert result["ids"][3] == result["ids"][2]  # the in-batch duplicate is the same contact
    existing.refresh_from_db()
    assert existing.first_name == "Old"
    assert contacts(owner).get(pk=result["ids"][2]).first_name == "P2"


def test_update_overwrites_duplicates_with_the_rows_fields(owner):
    existing = ContactFactory(
        account=owner.account, email="p1@example.com", first_name="Old", title="Keep me"
    )
    body = rows(3) + [{"first_name": "Later", "email": "p2@example.com", "tags": ["x"]}]
    response = owner.client.post(URL, {"contacts": body, "on_duplicate": "update"}, format="json")
    assert response.status_code == 201
    result = response.json()
    assert (result["created"], result["updated"], result["skipped"]) == (2, 2, 0)
    assert result["ids"][1] == existing.pk and result["ids"][3] == result["ids"][2]
    existing.refresh_from_db()
    assert (existing.first_name, existing.last_name, existing.title) == ("P1", "Bulk", "Keep me")
    later = contacts(owner).get(pk=result["ids"][2])
    assert later.first_name == "Later"  # its later row updated it
    assert [t.name for t in later.tags.all()] == ["x"]
    assert contacts(owner).count() == 3


def test_emails_of_another_account_are_not_duplicates(owner, outsider):
    ContactFactory(account=outsider.account, email="p0@example.com")
    response = owner.client.post(URL, {"contacts": rows(1)}, format="json")
    assert response.status_code == 201
    assert response.json()["created"] == 1


def test_owner_must_be_a_member(owner, outsider):
    response = owner.client.post(URL, {"contacts": rows(1, owner=outsider.user.pk)}, format="json")
    assert response.status_code == 400
    assert "owner" in response.json()["errors"][0]["errors"]


def test_it_costs_a_constant_number_of_queries(owner):
    from django.db import connection

    from tests.queries import assert_same_count, capture_queries

    # SQLite caps the variables of one statement, so Django splits its bulk inserts
    # into batches of ~99 contacts there; PostgreSQL takes any batch in one statement.
    large = 500 if connection.vendor == "postgresql" else 60
    ContactFactory(account=owner.account, email="p0@example.com")
    captures = []
    for start, n in ((1000, 5), (2000, large)):
        body = rows(n, start=start, tags=[f"a{start}", f"b{start}"], owner=owner.user.pk)
        body.append({"first_name": "Dup", "email": "p0@example.com", "tags": [f"c{start}"]})
        with capture_queries() as ctx:
            response = owner.client.post(
                URL, {"contacts": body, "on_duplicate": "update"}, format="json"
            )
        assert response.status_code == 201
        captures.append(ctx)
    assert_same_count(*captures)
    links = ContactTag.objects.for_account(owner.account)
    # 5 and `large` contacts with two tags each; the duplicate's tag was replaced.
    assert links.count() == 2 * 5 + 2 * large + 1
