"""`assigned` notifications: someone made another user the owner of a record.

Derived from the events every record service appends (events.services calls
`notify_assignments` with each batch, in the change's transaction), so every face
and path is covered alike: API, web app, admin, bulk assign, imports and merges. A
record is assigned when it is created with an owner, or when an event's `changes`
carry a new `owner`; the trash's delete and restore move no ownership.
"""

from accounts.models import User
from events.kinds import kind_named
from events.models import Event, Source
from notifications.models import Notification

# Record types with an `owner` (a note has an author, which no one assigns).
OWNED_TYPES = frozenset({"contact", "company", "deal", "activity"})
NOT_ASSIGNMENTS = frozenset({"deleted", "restored"})


def assigned_owner(event: Event) -> int | None:
    """The user id the event makes the owner of its record, or None."""
    if event.record_type not in OWNED_TYPES or event.action in NOT_ASSIGNMENTS:
        return None
    if event.action == "created":
        return event.data.get("owner")
    change = event.changes.get("owner")
    return change[1] if change else None


def assignment_notifications(
    *, account_id: int, actor_id: int | None, events: list[Event]
) -> list[Notification]:
    """The unsaved `assigned` notifications of a batch of events: one per record given
    an owner other than the actor (assigning to yourself notifies nobody)."""
    notifications = []
    for event in events:
        owner_id = assigned_owner(event)
        if owner_id is None or owner_id == actor_id:
            continue
        notifications.append(
            Notification(
                account_id=account_id,
                user_id=owner_id,
                kind=Notification.Kind.ASSIGNED,
                record_type=event.record_type,
                record_id=event.record_id,
                title=kind_named(event.record_type).title(event.data)[:200] or "(untitled)",
                actor_id=actor_id,
                created_at=event.at,
            )
        )
    return notifications


def notify_assignments(*, account_id: int, actor_id, source: Source, events) -> None:
    """The events hook: insert the batch's `assigned` notifications (one query, none
    when nobody was assigned)."""
    notifications = assignment_notifications(
        account_id=account_id, actor_id=actor_id, events=events
    )
    if notifications:
        # Only active members hear of it: an event can name a user who has left, or
        # one deactivated since (a merge or restore keeps their ownership). One query.
        members = set(
            User.objects.assignable_to(account_id)
            .filter(pk__in={n.user_id for n in notifications})
            .values_list("pk", flat=True)
        )
        notifications = [n for n in notifications if n.user_id in members]
    if notifications:
        Notification.objects.for_account(account_id).bulk_create(notifications)
