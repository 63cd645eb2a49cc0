"""Turning tag names into an account's Tag rows, in bulk."""

from django.db.models.functions import Lower

from accounts.models import Tag


def normalise_tag_names(names) -> list[str]:
    """Trimmed names, first spelling kept, duplicates (any case) dropped, order kept."""
    seen: dict[str, str] = {}
    for name in names:
        cleaned = name.strip()
        if cleaned and cleaned.lower() not in seen:
            seen[cleaned.lower()] = cleaned
    return list(seen.values())


def tags_get_or_create(*, account, names) -> dict[str, Tag]:
    """The account's tags for `names`, created where missing; keyed by lower-cased name.

    At most three queries whatever the number of names, and safe against a
    concurrent request creating the same tag (the unique constraint decides).
    """
    wanted = {name.lower(): name for name in normalise_tag_names(names)}
    if not wanted:
        return {}
    scoped = Tag.objects.for_account(account)
    found = {
        tag.lname: tag
        for tag in scoped.annotate(lname=Lower("name")).filter(lname__in=list(wanted))
    }
    missing = [Tag(account=account, name=wanted[key]) for key in wanted if key not in found]
    if missing:
        Tag.objects.for_account(account).bulk_create(missing, ignore_conflicts=True)
        found.update(
            {
                tag.lname: tag
                for tag in scoped.annotate(lname=Lower("name")).filter(
                    lname__in=[tag.name.lower() for tag in missing]
                )
            }
        )
    return found


def tags_replace(*, account, through, field: str, names_by_object: dict[int, list[str]]) -> None:
    """Make each object's tags exactly the given names (creating missing tags).

    `through` is the link model (e.g. ContactTag) and `field` its foreign key to the
    tagged model; `names_by_object` maps that model's ids to tag names. A constant
    number of queries for any number of objects.
    """
    if not names_by_object:
        return
    tags = tags_get_or_create(
        account=account, names=[n for names in names_by_object.values() for n in names]
    )
    links = through.objects.for_account(account)
    links.filter(**{f"{field}__in": list(names_by_object)}).delete()
    links.bulk_create(
        [
            through(account_id=account.pk, tag=tags[name.lower()], **{f"{field}_id": object_id})
            for object_id, names in names_by_object.items()
            for name in normalise_tag_names(names)
        ],
        ignore_conflicts=True,
    )


def tag_add(*, account, through, field: str, object_id: int, name: str) -> Tag:
    """Add one tag (created if needed) to one object; adding it twice is harmless."""
    tag = tags_get_or_create(account=account, names=[name])[name.strip().lower()]
    through.objects.for_account(account).bulk_create(
        [through(account_id=account.pk, tag=tag, **{f"{field}_id": object_id})],
        ignore_conflicts=True,
    )
    return tag
