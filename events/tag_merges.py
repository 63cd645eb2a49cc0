"""The events of a tag merge (accounts.services.tags_merge): each record that carried
the merged tag gets its `<type>.updated`, with `changes: {"tags": [before, after]}`
as any edit of its tags has, and its representation as it is now. Connected in
EventsConfig.ready(); accounts sends the signal without knowing the record apps."""

from django.dispatch import receiver

from accounts.signals import tags_merged
from events.kinds import kind_of
from events.services import EventDraft, events_append


@receiver(tags_merged, dispatch_uid="events.tag_merges")
def record_merged_tags(sender, *, account_id, by, via, changes, **kwargs):
    """One batch of events: per tagged model, its records and their representations
    in a constant number of queries, then one append."""
    drafts = []
    for model, names in changes.items():
        kind = kind_of(model)
        if kind is None:  # a tagged model whose writes are not recorded
            continue
        records = list(model.objects.for_account(account_id).filter(pk__in=list(names)))
        for record, data in zip(records, kind.representations(records), strict=True):
            before, after = names[record.pk]
            drafts.append(
                EventDraft(
                    record_type=kind.record_type,
                    record_id=record.pk,
                    action="updated",
                    changes={"tags": [before, after]},
                    data=data,
                )
            )
    events_append(account=account_id, by=by, source=via, drafts=drafts)
