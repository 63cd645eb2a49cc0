"""Workflows that write several account models at once."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import Account, Membership, Tag, User
from accounts.signals import account_created, tags_merged
from accounts.tags import tag_links, tagged_records_touch
from accounts.uniqueness import unique_conflicts


class UsernameTaken(ValueError):
    pass


@transaction.atomic
def account_create(
    *, name: str, username: str, password: str, email: str = "", **settings
) -> Account:
    """Create an account, its first user and that user's owner membership; apps add
    their defaults through the `account_created` signal, in the same transaction."""
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTaken(f"The username “{username}” is already taken.")
    account = Account(name=name, **settings)
    account.full_clean()
    account.save()
    user = User.objects.create_user(username=username, password=password, email=email)
    Membership.objects.create(account=account, user=user, role=Membership.Role.OWNER)
    account_created.send(sender=Account, account=account, owner=user)
    return account


def membership_add(
    *, account: Account, user: User, role: str = Membership.Role.MEMBER
) -> Membership:
    """Give `user` a role in `account`."""
    return Membership.objects.create(account=account, user=user, role=role)


@transaction.atomic
def api_token_regenerate(*, user: User) -> Token:
    """Give `user` a new API token; the old key, if any, stops working at once."""
    # Two clicks at once take turns on the user's row instead of racing to insert
    # the one token a user may have (PostgreSQL; SQLite serialises writers anyway).
    User.objects.select_for_update().filter(pk=user.pk).exists()
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def tag_create(*, account, data: dict) -> Tag:
    """A new tag (`data`: name, colour). UniqueConflict on `name` when a concurrent
    request created a tag of that name (whatever its case) first."""
    with unique_conflicts(Tag, field="name"):
        return Tag.objects.create(account=account, **data)


@transaction.atomic
def tag_update(*, tag: Tag, data: dict) -> Tag:
    """Write a tag's name or colour; a new name moves the version of every record
    that carries the tag (they show its name). UniqueConflict on `name` when a
    concurrent request gave another tag that name first, and nothing changes."""
    stored_name = (
        Tag.objects.for_account(tag.account_id)
        .select_for_update()
        .filter(pk=tag.pk)
        .values_list("name", flat=True)
        .get()
    )
    renamed = data.get("name", stored_name) != stored_name
    for name, value in data.items():
        setattr(tag, name, value)
    with unique_conflicts(Tag, field="name"):
        tag.save()
    if renamed:
        tagged_records_touch(account_id=tag.account_id, tag_ids=[tag.pk])
    return tag


@transaction.atomic
def tags_delete(*, account_id: int, tag_ids) -> None:
    """Delete tags: they leave every record that carried them (whose versions move),
    and no record is deleted."""
    tag_ids = list(tag_ids)
    # The tags first, then their records, in the order tag_update and tags_merge take
    # them: a merge into one of them (tags locked, then records) and this delete
    # (records, then tags) would otherwise deadlock on a record carrying both tags.
    list(
        Tag.objects.for_account(account_id)
        .select_for_update()
        .filter(pk__in=tag_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    tagged_records_touch(account_id=account_id, tag_ids=tag_ids)
    Tag.objects.for_account(account_id).filter(pk__in=tag_ids).delete()


class TagMergeRefused(ValueError):
    pass


@transaction.atomic
def tags_merge(*, account_id: int, source: Tag, target: Tag, by, via: str = "ui") -> Tag:
    """Merge tag `source` into `target`: every contact and company that carried
    `source` carries `target` (once, also when it had both), and `source` is deleted.

    The records' versions move and the `tags_merged` signal reports each record's tag
    names before and after (the events app appends `<type>.updated` for each, `via`
    being the event's source). Both tags are locked first, so a concurrent merge or
    delete of either waits; one that removed either meanwhile is Tag.DoesNotExist.
    A constant number of queries whatever the number of records. Returns `target`."""
    if source.pk == target.pk:
        raise TagMergeRefused("A tag cannot be merged into itself.")
    if {source.account_id, target.account_id} != {account_id}:
        raise TagMergeRefused("Both tags must be the account's.")
    tags = list(
        Tag.objects.for_account(account_id)
        .select_for_update()
        .filter(pk__in=[source.pk, target.pk])
        .order_by("pk")
    )
    if len(tags) != 2:
        raise Tag.DoesNotExist("One of the tags was deleted meanwhile.")
    source, target = (next(tag for tag in tags if tag.pk == t.pk) for t in (source, target))
    # The version moves first: the UPDATE locks the records, so a concurrent edit of
    # their tags (which locks the record first) has finished before they are read.
    tagged_records_touch(account_id=account_id, tag_ids=[source.pk])
    changes = {}
    for through, record_field in tag_links():
        links = through.objects.for_account(account_id)
        carriers = links.filter(tag_id=source.pk).values(record_field.attname)
        names: dict[int, dict[int, str]] = {}  # record id: {tag id: name}
        for record_id, tag_id, name in links.filter(
            **{f"{record_field.attname}__in": carriers}
        ).values_list(record_field.attname, "tag_id", "tag__name"):
            names.setdefault(record_id, {})[tag_id] = name
        if not names:
            continue
        links.bulk_create(
            [
                through(account_id=account_id, tag_id=target.pk, **{record_field.attname: pk})
                for pk in names
            ],
            ignore_conflicts=True,  # the records that had both keep their one link
        )
        changes[record_field.related_model] = {
            pk: (sorted(before.values()), _merged_names(before, source=source, target=target))
            for pk, before in names.items()
        }
    Tag.objects.for_account(account_id).filter(pk=source.pk).delete()  # its links go too
    if changes:
        tags_merged.send(sender=Tag, account_id=account_id, by=by, via=via, changes=changes)
    return target


def _merged_names(before: dict[int, str], *, source: Tag, target: Tag) -> list[str]:
    """A record's tag names after the merge, from its {tag id: name} before it."""
    after = {tag_id: name for tag_id, name in before.items() if tag_id != source.pk}
    after[target.pk] = target.name
    return sorted(after.values())
