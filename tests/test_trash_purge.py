"""The trash's retention across accounts: entries older than 30 days are purged, and an
account's trash goes with the account. (Not an API suite: the purge reads every
account's rows on purpose.)"""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import ContactFactory
from trash.models import TrashedRecord
from trash.services import trash_purge_expired

pytestmark = pytest.mark.django_db
API = "/api/v1/crm"


def test_entries_older_than_30_days_are_purged(owner, outsider):
    old, recent = ContactFactory.create_batch(2, account=owner.account)
    theirs = ContactFactory(account=outsider.account)
    for actor, contact in ((owner, old), (owner, recent), (outsider, theirs)):
        actor.client.delete(f"{API}/contacts/{contact.pk}/")
    TrashedRecord.objects.dangerously_unscoped().filter(record_id__in=[old.pk, theirs.pk]).update(
        deleted_at=timezone.now() - dt.timedelta(days=31)
    )
    assert trash_purge_expired() == 2
    remaining = TrashedRecord.objects.dangerously_unscoped().values_list("record_id", flat=True)
    assert list(remaining) == [recent.pk]


def test_deleting_the_account_deletes_its_trash(owner):
    contact = ContactFactory(account=owner.account)
    owner.client.delete(f"{API}/contacts/{contact.pk}/")
    owner.account.delete()
    assert not TrashedRecord.objects.dangerously_unscoped().exists()
