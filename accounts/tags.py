"""Turning tag names into an account's Tag rows, in bulk."""

import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import OuterRef
from django.db.models.query import ModelIterable
from django.utils import timezone

from accounts.models import Tag, tag_key
from accounts.tenancy import AccountScopedQuerySet


def validate_tag_name(name) -> None:
    """1-50 characters of printable text."""
    if not isinstance(name, str) or not 1 <= len(name.strip()) <= 50:
        raise ValidationError("A tag name is text of 1-50 characters.")
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in name):
        raise ValidationError("A tag name must not contain control characters.")


def normalise_tag_names(names) -> list[str]:
    """Trimmed names, first spelling kept, duplicates (any case) dropped, order kept."""
    seen: dict[str, str] = {}
    for name in names:
        cleaned = name.strip()
        if cleaned and tag_key(cleaned) not in seen:
            seen[tag_key(cleaned)] = cleaned
    return list(seen.values())


def tags_get_or_create(*, account, names) -> dict[str, Tag]:
    """The account's tags for `names`, created where missing; keyed by `tag_key(name)`.

    At most three queries whatever the number of names, and safe against a
    concurrent request creating the same tag (the unique constraint decides).
    """
    wanted = {tag_key(name): name for name in normalise_tag_names(names)}
    if not wanted:
        return {}
    scoped = Tag.objects.for_account(account)
    found = {tag.name_key: tag for tag in scoped.filter(name_key__in=list(wanted))}
    missing = [key for key in wanted if key not in found]
    if missing:
        scoped.bulk_create(
            [Tag(account=account, name=wanted[key], name_key=key) for key in missing],
            ignore_conflicts=True,
        )
        found.update({tag.name_key: tag for tag in scoped.filter(name_key__in=missing)})
    return found


def tags_replace(
    *, account, through, field: str, names_by_object: dict[int, list[str]]
) -> dict[str, Tag]:
    """Make each object's tags exactly the given names (creating missing tags).

    `through` is the link model (e.g. ContactTag) and `field` its foreign key to the
    tagged model; `names_by_object` maps that model's ids to tag names. A constant
    number of queries for any number of objects. Returns the tags named, by
    `tag_key(name)`, so callers can tell each object's tags without reading them back.
    """
    if not names_by_object:
        return {}
    tags = tags_get_or_create(
        account=account, names=[n for names in names_by_object.values() for n in names]
    )
    links = through.objects.for_account(account)
    links.filter(**{f"{field}__in": list(names_by_object)}).delete()
    links.bulk_create(
        [
            through(account_id=account.pk, tag=tags[tag_key(name)], **{f"{field}_id": object_id})
            for object_id, names in names_by_object.items()
            for name in normalise_tag_names(names)
        ],
        ignore_conflicts=True,
    )
    return tags


# -- any tagged record (a model with `tags = ManyToManyField(Tag, through=...)`) --


class TaggedQuerySet(AccountScopedQuerySet):
    """For models with `tags = ManyToManyField(Tag, through=<link model>)`."""

    _with_tag_list = False

    def with_tag_list(self):
        """Give each fetched record `tag_list`, its tags in name order, in one more
        query: what `prefetch_related("tags")` does without building a related
        manager per record, which cost more than the query on a 20-row page."""
        clone = self._chain()
        clone._with_tag_list = True
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._with_tag_list = self._with_tag_list
        return clone

    def _fetch_all(self):
        loading = self._result_cache is None
        super()._fetch_all()
        if loading and self._with_tag_list and self._iterable_class is ModelIterable:
            attach_tag_lists(self.model, self._result_cache)

    def with_tags(self, names):
        """Records that carry every one of the tag names (any case); one subquery a tag."""
        field = self.model._meta.get_field("tags")
        through, fk = field.remote_field.through, field.m2m_field_name()
        # The account itself rather than the outer row's, when known: on Citus a
        # subquery correlated only by account_id reaches every shard.
        account = self.pinned_account() or OuterRef("account_id")
        queryset = self
        for name in names:
            queryset = queryset.filter(
                pk__in=through.objects.filter(
                    account_id=account, tag__name_key=tag_key(name)
                ).values(f"{fk}_id")
            )
        return queryset


def attach_tag_lists(model, records) -> None:
    """Set `record.tag_list` on each record: one query."""
    for record in records:
        record.tag_list = []
    if not records:
        return
    field = model._meta.get_field("tags")
    link_model = field.remote_field.through
    tag_field, record_field = field.m2m_reverse_field_name(), field.m2m_field_name()
    by_id = {record.pk: record for record in records}
    # From the link rows: their (account, record, tag) key is the index to read.
    links = (
        link_model.objects.for_accounts({r.account_id for r in records})
        .filter(**{f"{record_field}_id__in": list(by_id)})
        .select_related(tag_field)
        .order_by(f"{tag_field}__name_key", f"{tag_field}_id")
    )
    for link in links:
        by_id[getattr(link, f"{record_field}_id")].tag_list.append(getattr(link, tag_field))


def tag_links():
    """(link model, its foreign key to the tagged record) for each tagged model: the
    ContactTag and CompanyTag of the apps above, found without importing them."""
    for link in Tag._meta.related_objects:
        if not link.one_to_many:  # the records' `tags` themselves; their links follow
            continue
        through = link.related_model  # ContactTag, CompanyTag
        record_field = next(
            f
            for f in through._meta.concrete_fields
            if f.is_relation and f.name not in {"account", link.field.name}
        )
        yield through, record_field


def tagged_records_touch(*, account_id: int, tag_ids) -> None:
    """Move `updated_at` on every record carrying one of the tags: renaming or deleting
    a tag changes those records as the API shows them, so their version (ETag) must
    move, and the recorded writes trust an unmoved version to mean an unchanged row
    (events.recording.current). One UPDATE per tagged model."""
    now = timezone.now()
    for through, record_field in tag_links():
        record_field.related_model.objects.for_account(account_id).filter(
            pk__in=through.objects.for_account(account_id)
            .filter(tag_id__in=list(tag_ids))
            .values(record_field.attname)
        ).update(updated_at=now)
