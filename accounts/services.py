"""Workflows that write several account models at once."""

from django.db import IntegrityError, transaction
from rest_framework.authtoken.models import Token

from accounts.models import Account, Membership, Tag, User
from accounts.signals import account_created, tags_merged
from accounts.tags import tag_links, tagged_records_touch
from accounts.uniqueness import unique_conflicts


class UsernameTaken(ValueError):
    pass


class LastOwner(ValueError):
    """The change would leave the account without an active owner."""

    def __init__(self, message: str = ""):
        super().__init__(
            message
            or "An account needs at least one active owner: make another member an owner first."
        )


class OwnersOnly(PermissionError):
    """The acting member may not make this change: only an owner touches an owner or
    makes one, and only owners and admins manage members (`may_change_member`)."""

    def __init__(self, message: str = ""):
        super().__init__(message or "Only an owner may change an owner or make one.")


ACCOUNT_SETTINGS = ("name", "currency", "phone_region", "time_zone")


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


@transaction.atomic
def account_update(*, account: Account, data: dict) -> Account:
    """Change an account's settings (`ACCOUNT_SETTINGS`): the API's `PATCH
    /account/`, the web app's settings page and the admin all come here. Locks the
    account's row, validates, and saves only the fields that changed (and
    `updated_at`, the account's version); a write that changes nothing saves nothing.
    Raises ValidationError (nothing saved) for an invalid value."""
    unknown = set(data) - set(ACCOUNT_SETTINGS)
    if unknown:
        raise ValueError(f"Not an account setting: {', '.join(sorted(unknown))}")
    stored = Account.objects.select_for_update().get(pk=account.pk)
    changed = [name for name, value in data.items() if getattr(stored, name) != value]
    for name in ACCOUNT_SETTINGS:  # the caller's object shows what is stored now
        setattr(account, name, getattr(stored, name))
    if not changed:
        return account
    for name in changed:
        setattr(account, name, data[name])
    account.full_clean(exclude=[n for n in ACCOUNT_SETTINGS if n not in changed])
    account.save(update_fields=[*changed, "updated_at"])
    return account


def membership_add(
    *, account: Account, user: User, role: str = Membership.Role.MEMBER, by=None
) -> Membership:
    """Give `user` a role in `account`. `by`: the acting member (OwnersOnly unless
    they may give that role), or None for a superuser or the system."""
    if by is not None and not by.may_change_member(Membership(account=account), role=role):
        raise OwnersOnly()
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


# -- members -------------------------------------------------------------------------
# Every change that could take away an account's last active owner (a demotion, a
# deactivation, a removal) first locks the account's active owner rows, in id order, and
# counts them under that lock: two owners demoting each other at once take turns, and the
# second finds itself the last owner (PostgreSQL re-reads a locked row that changed and
# drops it from the result). SQLite serialises writers anyway.


def _locked_owners(account_id: int) -> list[int]:
    """Lock the account's active owner memberships; their ids. One query. Only the
    membership rows are locked (`of`): the query joins the users for `User.is_active`,
    whose rows a sign-in writes (`last_login`) and must not wait on."""
    return list(
        Membership.objects.owners()
        .filter(account_id=account_id)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _locked_membership(membership: Membership, by: Membership | None, role=None) -> Membership:
    """Lock the account's owners, then `membership`'s row and the acting member's
    (`by`), in id order, as they stand now; OwnersOnly unless `by` (None: a superuser
    or the system) may make the change (`role`: the role it gives). Checked under the
    lock, so a member promoted or an actor demoted meanwhile is judged as they are
    now. Only those rows are locked: `FOR UPDATE` of the joined account would also hold
    up every insert that references the account (its foreign key check takes a share
    lock on it)."""
    owner_ids = _locked_owners(membership.account_id)
    ids = {membership.pk} | ({by.pk} if by is not None else set())
    rows = {
        row.pk: row
        for row in Membership.objects.for_account(membership.account_id)
        .select_for_update(of=("self",))
        .select_related("user", "account")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    if membership.pk not in rows:
        raise Membership.DoesNotExist("The membership no longer exists.")
    stored = rows[membership.pk]
    if by is not None and (by.pk not in rows or not rows[by.pk].may_change_member(stored, role)):
        raise OwnersOnly()
    stored.locked_owner_ids = owner_ids
    return stored


def _refuse_losing_last_owner(membership: Membership, action: str) -> None:
    if membership.pk in membership.locked_owner_ids and len(membership.locked_owner_ids) == 1:
        raise LastOwner(
            f"You cannot {action} the account’s last active owner: make another member "
            "an owner first."
        )


@transaction.atomic
def membership_invite(
    *,
    account: Account,
    username: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    role: str = Membership.Role.MEMBER,
    by=None,
) -> Membership:
    """Create a teammate: a user without a usable password, and their membership.
    They set a password through a one-time link (web/members makes it with Django's
    `default_token_generator`; it works once, since the token depends on the password).
    Raises UsernameTaken for a username in use (whatever its case). `by`: as for
    `membership_add`."""
    if role not in Membership.Role.values:
        raise ValueError(f"Not a role: {role}")
    if by is not None and not by.may_change_member(Membership(account=account), role=role):
        raise OwnersOnly()
    if User.objects.filter(username__iexact=username).exists():
        raise UsernameTaken(f"The username “{username}” is already taken.")
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean(validate_unique=False)  # the insert below is what decides a race
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # the same username, invited at the same instant
        raise UsernameTaken(f"The username “{username}” is already taken.") from exc
    return Membership.objects.create(account=account, user=user, role=role)


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by=None) -> Membership:
    """Give a member another role; demoting the last active owner raises LastOwner.
    `by`: the acting member, or None (`_locked_membership`)."""
    if role not in Membership.Role.values:
        raise ValueError(f"Not a role: {role}")
    stored = _locked_membership(membership, by, role)
    if stored.role == role:
        return stored
    if role != Membership.Role.OWNER:
        _refuse_losing_last_owner(stored, "demote")
    stored.role = role
    stored.save(update_fields=["role"])
    return stored


@transaction.atomic
def membership_deactivate(*, membership: Membership, by=None) -> Membership:
    """Stop a member from acting in the account through any face (web, API, admin):
    accounts/memberships.py skips deactivated memberships. Their records stay theirs.
    Deactivating the last active owner raises LastOwner. `by`: as for change_role."""
    stored = _locked_membership(membership, by)
    if not stored.is_active:
        return stored
    _refuse_losing_last_owner(stored, "deactivate")
    stored.is_active = False
    stored.save(update_fields=["is_active"])
    return stored


@transaction.atomic
def membership_reactivate(*, membership: Membership, by=None) -> Membership:
    """Let a deactivated member act in the account again, in their old role. `by`: as
    for change_role."""
    stored = _locked_membership(membership, by)
    if not stored.is_active:
        stored.is_active = True
        stored.save(update_fields=["is_active"])
    return stored


@transaction.atomic
def membership_remove(*, membership: Membership, by=None) -> None:
    """Take a user out of the account (the user and the records they own stay).
    Removing the last active owner raises LastOwner. `by`: as for change_role."""
    stored = _locked_membership(membership, by)
    _refuse_losing_last_owner(stored, "remove")
    stored.delete()


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
