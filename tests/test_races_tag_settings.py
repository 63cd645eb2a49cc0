"""Tag writes meeting at the same instant (PostgreSQL, real threads released by a
barrier, repeated): two tags renamed to one name in the web app, or created with one
name in the API, give one tag of that name and the other request the 400 validation
would have given it, never the database's IntegrityError. A merge A→B meeting a merge
B→A, or a delete of B, ends as one of the two serial orders: no 500 (no deadlock
either), no record loses a tag link the serial order keeps."""

import pytest
from django.db import connection

from accounts.models import Membership, Tag
from contacts.models import ContactTag
from tests.conftest import make_actor
from tests.factories import ContactFactory, TagFactory
from tests.races import ROUNDS, own_client, status_codes, together
from tests.web_client import client_for

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
]
LIST = "/settings/tags/"


@pytest.fixture
def clients(owner, account):
    """The owner's and an admin's web clients, signed in before the barrier."""
    return [client_for(owner), client_for(make_actor(account, Membership.Role.ADMIN))]


def spellings(round_):
    """The same name, or (odd rounds) the same but for case, which counts as one."""
    name = f"vip {round_}"
    return (name, name) if round_ % 2 == 0 else (name, name.upper())


def test_two_tags_renamed_at_once_to_one_name_leave_one_of_that_name(account, clients):
    for round_ in range(ROUNDS):
        tags = TagFactory.create_batch(2, account=account)
        names = spellings(round_)
        responses = together(
            *(
                lambda c=c, t=t, n=n: c.post(f"{LIST}{t.pk}/", {"name": n, "color": ""})
                for c, t, n in zip(clients, tags, names, strict=True)
            )
        )
        assert status_codes(responses) == [302, 400], responses
        (refused,) = [r for r in responses if r.status_code == 400]
        assert "A tag with this name already exists." in refused.content.decode()
        assert Tag.objects.for_account(account).filter(name__iexact=names[0]).count() == 1


def test_two_tags_created_at_once_with_one_name_in_the_api(owner, account):
    clients = [own_client(owner), own_client(make_actor(account, Membership.Role.ADMIN))]
    for round_ in range(ROUNDS):
        names = spellings(round_)
        responses = together(
            *(
                lambda c=c, n=n: c.post("/api/v1/crm/tags/", {"name": n}, format="json")
                for c, n in zip(clients, names, strict=True)
            )
        )
        assert status_codes(responses) == [201, 400], responses
        (refused,) = [r for r in responses if r.status_code == 400]
        assert refused.json() == {"name": ["A tag with this name already exists."]}
        assert Tag.objects.for_account(account).filter(name__iexact=names[0]).count() == 1


def posting(client, path, data):
    return lambda: client.post(path, data)


def tagged(account):
    """Tags A, B and C, and contacts carrying A, B, both, and A with C: {contact id:
    set of tag ids}."""
    a, b, c = TagFactory.create_batch(3, account=account)
    carried = {}
    for tags in ((a,), (b,), (a, b), (a, c)):
        contact = ContactFactory(account=account)
        for tag in tags:
            ContactTag.objects.create(account=account, contact=contact, tag=tag)
        carried[contact.pk] = {tag.pk for tag in tags}
    return a, b, c, carried


def links(account, contact_ids):
    found = {pk: set() for pk in contact_ids}
    for contact_id, tag_id in (
        ContactTag.objects.for_account(account)
        .filter(contact_id__in=contact_ids)
        .values_list("contact_id", "tag_id")
    ):
        found[contact_id].add(tag_id)
    return found


def merged(carried, source, target):
    """Each contact's tags after merging `source` into `target`."""
    return {
        pk: (tags - {source.pk}) | ({target.pk} if tags & {source.pk, target.pk} else set())
        for pk, tags in carried.items()
    }


def test_merges_a_into_b_and_b_into_a_at_once_end_as_one_of_them(account, clients):
    for _ in range(ROUNDS):
        a, b, c, carried = tagged(account)
        responses = together(
            posting(clients[0], f"{LIST}{a.pk}/merge/", {"into": b.pk}),
            posting(clients[1], f"{LIST}{b.pk}/merge/", {"into": a.pk}),
        )
        # The first merge wins; the second finds its tag gone: a 404, nothing changed.
        assert status_codes(responses) == [302, 404], responses
        left = set(
            Tag.objects.for_account(account)
            .filter(pk__in=[a.pk, b.pk])
            .values_list("pk", flat=True)
        )
        assert len(left) == 1
        (survivor,) = left
        source, target = (b, a) if survivor == a.pk else (a, b)
        assert links(account, list(carried)) == merged(carried, source, target)
        assert Tag.objects.for_account(account).filter(pk=c.pk).exists()


def test_a_merge_into_b_and_a_delete_of_b_at_once_end_as_one_of_them(account, clients):
    for _ in range(ROUNDS):
        a, b, c, carried = tagged(account)
        responses = together(
            posting(clients[0], f"{LIST}{a.pk}/merge/", {"into": b.pk}),
            posting(clients[1], f"{LIST}{b.pk}/delete/", {}),
        )
        merge, delete = (getattr(r, "status_code", r) for r in responses)
        assert delete == 302, responses
        now = links(account, list(carried))
        without_b = {pk: tags - {b.pk} for pk, tags in carried.items()}
        if merge == 302:  # the merge first, then B (with A's records) deleted
            assert now == {pk: tags - {a.pk, b.pk} for pk, tags in carried.items()}
            assert not Tag.objects.for_account(account).filter(pk=a.pk).exists()
        else:  # B deleted first: the merge into it is a 404 and A keeps its records
            assert merge == 404, responses
            assert now == without_b
            assert Tag.objects.for_account(account).filter(pk=a.pk).exists()
        assert not Tag.objects.for_account(account).filter(pk=b.pk).exists()
        assert Tag.objects.for_account(account).filter(pk=c.pk).exists()
