"""The trash in the admin: staff see their accounts' trash, read only; "Restore
selected" restores through the trash service (source "admin") and names what clashed;
deleting an entry purges it for good."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client

from accounts.models import Membership
from contacts.models import Contact
from events.kinds import kind_named
from events.models import Event, Source
from tests.factories import ContactFactory, MembershipFactory, UserFactory
from trash.models import TrashedRecord
from trash.services import records_trash

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/trash/trashedrecord/"


@pytest.fixture
def staff(account):
    """An admin of `account` with every permission on the trash."""
    user = UserFactory(username="stella", is_staff=True)
    MembershipFactory(account=account, user=user, role=Membership.Role.ADMIN)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="trash"))
    client = Client()
    client.force_login(user)
    return client


def trashed_contact(account, **fields):
    contact = ContactFactory(account=account, **fields)
    records_trash(kind_named("contact"), rows=[contact], by=None, source=Source.UI)
    return TrashedRecord.objects.for_account(account).get(record_id=contact.pk)


def act(client, action, entries):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [e.pk for e in entries], "post": "yes"},
        follow=True,
    )


def test_staff_see_only_their_accounts_trash(staff, account, other_account):
    mine = trashed_contact(account, first_name="Mine")
    theirs = trashed_contact(other_account, first_name="Theirs")
    page = staff.get(CHANGELIST).content.decode()
    assert f"/admin/trash/trashedrecord/{mine.pk}/change/" in page
    assert f"/admin/trash/trashedrecord/{theirs.pk}/change/" not in page
    assert staff.get(f"{CHANGELIST}{theirs.pk}/change/").status_code == 404


def test_the_trash_admin_cannot_add_or_change(staff, account):
    entry = trashed_contact(account)
    assert staff.get(f"{CHANGELIST}add/").status_code == 403
    page = staff.get(f"{CHANGELIST}{entry.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()


def test_restore_selected_restores_each_and_names_the_clashes(staff, account):
    ann = trashed_contact(account, first_name="Ann", last_name="Lee", email="a@x.io")
    bo = trashed_contact(account, first_name="Bo", last_name="Chen")
    ContactFactory(account=account, email="a@x.io")
    page = act(staff, "restore_selected", [ann, bo])
    texts = [str(m) for m in get_messages(page.wsgi_request)]
    assert "Restored 1 record(s)." in texts
    assert any(t.startswith("1 could not be restored: Ann Lee:") for t in texts), texts
    assert Contact.objects.for_account(account).filter(pk=bo.record_id).exists()
    assert list(TrashedRecord.objects.for_account(account)) == [ann]
    event = Event.objects.for_account(account).get(type="contact.restored")
    assert (event.record_id, event.source) == (bo.record_id, "admin")


def test_restore_selected_ignores_another_accounts_entries(staff, account, other_account):
    theirs = trashed_contact(other_account)
    act(staff, "restore_selected", [theirs])
    assert TrashedRecord.objects.for_account(other_account).count() == 1
    assert not Contact.objects.for_account(other_account).exists()


def test_deleting_in_the_admin_purges_for_good(staff, account, other_account):
    entries = [trashed_contact(account), trashed_contact(account)]
    theirs = trashed_contact(other_account)
    act(staff, "delete_selected", [*entries, theirs])
    assert not TrashedRecord.objects.for_account(account).exists()
    assert not Contact.objects.for_account(account).exists()
    assert TrashedRecord.objects.for_account(other_account).count() == 1
    one = trashed_contact(account)
    assert staff.post(f"{CHANGELIST}{one.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TrashedRecord.objects.for_account(account).exists()
