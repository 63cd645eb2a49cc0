"""The admin's tag pages write through accounts/services.py (tag_create, tag_update), as
the API and the web settings do: a name another tag of the account has, whatever its
case, is a form error, also when a concurrent request takes it between the form's
check and the save (PostgreSQL, two admin POSTs released together): never a 500."""

import pytest
from django.db import connection
from django.test import Client

from accounts.models import Membership, Tag
from tests.factories import TagFactory, UserFactory
from tests.races import ROUNDS, status_codes, together

pytestmark = pytest.mark.django_db
TAKEN = "A tag with this name already exists."


def admin_client(account) -> Client:
    """A staff admin of the account, with the tag permissions."""
    from django.contrib.auth.models import Permission

    user = UserFactory(is_staff=True)
    Membership.objects.create(account=account, user=user, role=Membership.Role.ADMIN)
    user.user_permissions.set(Permission.objects.filter(content_type__model="tag"))
    client = Client()
    client.force_login(user)
    return client


def rename(client, tag, name):
    return client.post(
        f"/admin/accounts/tag/{tag.pk}/change/",
        {"account": tag.account_id, "name": name, "color": ""},
    )


def add(client, account, name):
    return client.post("/admin/accounts/tag/add/", {"account": account.pk, "name": name})


def test_a_rename_to_a_taken_name_is_a_form_error(account):
    TagFactory(account=account, name="VIP")
    tag = TagFactory(account=account, name="lead")
    response = rename(admin_client(account), tag, "vip")
    assert response.status_code == 200
    assert TAKEN in response.content.decode()
    tag.refresh_from_db()
    assert tag.name == "lead"


def test_a_tag_is_added_and_renamed_through_the_services(account):
    client = admin_client(account)
    assert add(client, account, "  Partner ").status_code == 302
    tag = Tag.objects.for_account(account).get()
    assert (tag.name, tag.name_key) == ("Partner", "partner")
    assert rename(client, tag, "Partners").status_code == 302
    tag.refresh_from_db()
    assert tag.name == "Partners"


def test_a_tag_stays_in_its_account(account, other_account):
    tag = TagFactory(account=account, name="vip")
    response = admin_client(account).post(
        f"/admin/accounts/tag/{tag.pk}/change/",
        {"account": other_account.pk, "name": "vip", "color": ""},
    )
    assert response.status_code == 200
    assert "A record stays in its account." in response.content.decode()
    assert Tag.objects.for_account(account).filter(pk=tag.pk).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_two_admin_renames_at_once_to_one_name_leave_one_and_a_form_error(account):
    clients = [admin_client(account), admin_client(account)]
    for round_ in range(ROUNDS):
        tags = TagFactory.create_batch(2, account=account)
        names = (f"vip {round_}", f"VIP {round_}")
        responses = together(
            *(
                lambda c=c, t=t, n=n: rename(c, t, n)
                for c, t, n in zip(clients, tags, names, strict=True)
            )
        )
        assert status_codes(responses) == [200, 302], responses
        (refused,) = [r for r in responses if r.status_code == 200]
        assert TAKEN in refused.content.decode()
        assert Tag.objects.for_account(account).filter(name__iexact=names[0]).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_two_admin_adds_at_once_of_one_name_leave_one_and_a_form_error(account):
    clients = [admin_client(account), admin_client(account)]
    for round_ in range(ROUNDS):
        name = f"lead {round_}"
        responses = together(*(lambda c=c, n=name: add(c, account, n) for c in clients))
        assert status_codes(responses) == [200, 302], responses
        (refused,) = [r for r in responses if r.status_code == 200]
        assert TAKEN in refused.content.decode()
        assert Tag.objects.for_account(account).filter(name__iexact=name).count() == 1
