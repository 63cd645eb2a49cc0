"""Workflows that write several account models at once."""

from django.db import transaction
from rest_framework.authtoken.models import Token

from accounts.models import Account, Membership, Tag, User
from accounts.signals import account_created
from accounts.tags import tagged_records_touch


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
def tag_update(*, tag: Tag, data: dict) -> Tag:
    """Write a tag's name or colour; a new name moves the version of every record
    that carries the tag (they show its name)."""
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
    tag.save()
    if renamed:
        tagged_records_touch(account_id=tag.account_id, tag_ids=[tag.pk])
    return tag


@transaction.atomic
def tags_delete(*, account_id: int, tag_ids) -> None:
    """Delete tags: they leave every record that carried them (whose versions move),
    and no record is deleted."""
    tag_ids = list(tag_ids)
    tagged_records_touch(account_id=account_id, tag_ids=tag_ids)
    Tag.objects.for_account(account_id).filter(pk__in=tag_ids).delete()
