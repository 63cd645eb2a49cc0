"""Time merging a contact with many timeline items, and undoing it by restore.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relay_bench \
        .venv/bin/python bench/merge.py --items 1000 --rounds 5

Per round: two contacts in a fresh account, the other one with `items` timeline items
(a third each of deals, activities and notes), then `contact_merge` (every item moves,
each with its `updated` event) and `record_restore` of the merged-away contact (the
merge undone: fields back, every item back). Prints each one's median and worst. The
account is deleted at the end. Targets (issue 16): merge <= 1 s, restore <= 100 ms.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_project.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django

django.setup()

from accounts.models import Account, Membership, User  # noqa: E402
from activities.models import Activity  # noqa: E402
from contacts.models import Contact  # noqa: E402
from contacts.services import contact_delete, contact_merge  # noqa: E402
from deals.models import Deal, Pipeline, Stage  # noqa: E402
from events.models import Source  # noqa: E402
from notes.models import Note  # noqa: E402
from trash.services import record_restore  # noqa: E402


def fill(account, user, contact, items: int) -> None:
    pipeline = Pipeline.objects.create(account=account, name=f"Bench {contact.pk}")
    stage = Stage.objects.create(
        account=account, pipeline=pipeline, name="Lead", position=0, probability=10
    )
    third = items // 3
    Deal.objects.bulk_create(
        Deal(
            account=account,
            pipeline=pipeline,
            stage=stage,
            title=f"Deal {i}",
            contact=contact,
            currency="USD",
            value_cents=100_000,
        )
        for i in range(third)
    )
    Activity.objects.bulk_create(
        Activity(account=account, type="task", subject=f"Task {i}", contact=contact)
        for i in range(third)
    )
    Note.objects.bulk_create(
        Note(account=account, body=f"<p>Note {i}</p>", contact=contact)
        for i in range(items - 2 * third)
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    account = Account.objects.create(name="Merge bench")
    user = User.objects.create_user(username=f"merge-bench-{account.pk}")
    Membership.objects.create(account=account, user=user, role=Membership.Role.OWNER)
    merges, restores, plain = [], [], []
    try:
        for round_number in range(args.rounds):
            survivor = Contact.objects.create(account=account, first_name="Ada", last_name="")
            other = Contact.objects.create(
                account=account,
                first_name="Ada",
                last_name="Lovelace",
                email=f"ada{round_number}@example.com",
            )
            fill(account, user, other, args.items)
            start = time.perf_counter()
            contact_merge(contact=survivor, other=other.pk, by=user, source=Source.API)
            merges.append(time.perf_counter() - start)
            start = time.perf_counter()
            record_restore(
                account=account,
                record_type="contact",
                record_id=other.pk,
                by=user,
                source=Source.API,
            )
            restores.append(time.perf_counter() - start)
            # A plain delete and restore: a contact with a few links (the common case).
            lone = Contact.objects.create(account=account, first_name="Lone", last_name="Bench")
            fill(account, user, lone, 6)
            contact_delete(contact=lone, by=user, source=Source.API)
            start = time.perf_counter()
            record_restore(
                account=account,
                record_type="contact",
                record_id=lone.pk,
                by=user,
                source=Source.API,
            )
            plain.append(time.perf_counter() - start)
    finally:
        account.delete()
        user.delete()
    for name, times, items in (
        ("merge", merges, args.items),
        ("restore (the merge undone)", restores, args.items),
        ("restore of a deleted contact", plain, 6),
    ):
        print(
            f"{name}, a contact with {items} items: "
            f"median {statistics.median(times) * 1000:.0f} ms, "
            f"worst {max(times) * 1000:.0f} ms ({len(times)} rounds)"
        )


if __name__ == "__main__":
    main()
