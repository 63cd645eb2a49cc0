"""The account-wide duplicate scan: pairs per key, capped per group, replaced by the
next scan, queued for large accounts, and started after imports and nightly."""

import pytest

from companies.duplicate_scans import FIRST_FEW
from companies.models import DuplicateScan
from contacts import tasks
from contacts.models import ContactDuplicate
from contacts.tasks import duplicate_scan_start, scan_changed_accounts
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def pairs(account):
    return sorted(
        ContactDuplicate.objects.for_account(account).values_list("low_id", "high_id", "score")
    )


def test_a_large_group_is_paired_with_its_first_few_not_n_squared(account):
    group = [ContactFactory(account=account, first_name="Sam", last_name="Lee") for _ in range(12)]
    duplicate_scan_start(account_id=account.pk, record_type="contact")
    found = pairs(account)
    first = [c.pk for c in group[:FIRST_FEW]]
    assert all(low in first for low, _high, _score in found)
    assert len(found) == sum(len(group) - 1 - i for i in range(FIRST_FEW))  # 11 + 10 + 9


def test_the_next_scan_replaces_the_pairs(account):
    a = ContactFactory(account=account, first_name="Sam", last_name="Lee")
    b = ContactFactory(account=account, first_name="Sam", last_name="Lee")
    duplicate_scan_start(account_id=account.pk, record_type="contact")
    assert pairs(account) == [(a.pk, b.pk, 85)]  # same name, same email domain
    b.last_name = "Leigh"
    b.save()
    scan = duplicate_scan_start(account_id=account.pk, record_type="contact")
    assert pairs(account) == []
    assert (scan.status, scan.percent, scan.pair_count) == ("done", 100, 0)


def test_a_large_account_is_scanned_in_the_background(
    account, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "LIVE_SCAN_LIMIT", 1)
    ContactFactory(account=account, first_name="Sam", last_name="Lee")
    ContactFactory(account=account, first_name="Sam", last_name="Lee")
    queued, task = [], tasks.scan_duplicates

    class Queue:
        enqueue = staticmethod(lambda **kw: queued.append(kw))

    monkeypatch.setattr(tasks, "scan_duplicates", Queue)
    with django_capture_on_commit_callbacks(execute=True):
        scan = duplicate_scan_start(account_id=account.pk, record_type="contact")
    assert scan.status == "queued" and queued == [{"account_id": account.pk, "scan_id": scan.pk}]
    # A second request while it is queued gets the same scan.
    assert duplicate_scan_start(account_id=account.pk, record_type="contact").pk == scan.pk
    assert task.call(**queued[0]) == "1 pairs"
    assert DuplicateScan.objects.for_account(account).get(pk=scan.pk).status == "done"
    assert task.call(**queued[0]) == "stale"  # not run twice


def test_the_nightly_job_scans_changed_accounts_only(account, other_account):
    ContactFactory(account=account, first_name="Sam", last_name="Lee")
    ContactFactory(account=account, first_name="Sam", last_name="Lee")
    assert scan_changed_accounts() == "started 1 scans"
    assert len(pairs(account)) == 1
    assert scan_changed_accounts() == "started 0 scans"


def test_strong_reasons_past_a_large_groups_first_few_are_still_paired(account):
    group = [
        ContactFactory(account=account, first_name="Sam", last_name="Lee", email="")
        for _ in range(FIRST_FEW + 1)
    ]
    late = [
        ContactFactory(account=account, first_name="Sam", last_name="Lee", email=f"s{i}@acme.com")
        for i in range(2)
    ]
    duplicate_scan_start(account_id=account.pk, record_type="contact")
    found = {(low, high): score for low, high, score in pairs(account)}
    assert found[(late[0].pk, late[1].pk)] == 85  # name and email domain
    assert found[(group[0].pk, late[1].pk)] == 50  # a first one: same name only
    assert (group[-1].pk, late[0].pk) not in found  # neither among the first few
