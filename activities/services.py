"""The one write path of activities: every face (API, web app, admin, the timeline's
log form) creates, edits, moves through the status machine and deletes activities
through these functions, each atomic, each recording its event (events/row_writes.py
says how concurrent writes meet)."""

from django.db import transaction
from django.utils import timezone

from activities import calendar_feeds
from activities.models import Activity, CalendarFeed
from events.kinds import register
from events.models import Source
from events.representations import representation
from events.row_writes import (
    RecordKind,
    refreshed,
    row_insert,
    row_lock,
    row_update,
    values_that_change,
)
from lib.calendar_range import validate_calendar_range
from lib.due_shortcuts import on_day
from trash.services import records_trash, records_trash_queryset


def activity_representation(activity: Activity) -> dict:
    """The activity as the API shows it (an event's `data`)."""
    from activities.api.serializers import ActivitySerializer  # it imports this module

    return representation(ActivitySerializer, activity)


ACTIVITY = register(
    RecordKind(
        model=Activity,
        record_type="activity",
        represent=activity_representation,
        derived=frozenset({"is_overdue"}),
        title=lambda data: data.get("subject") or "",
    )
)
# The fields a client edits; status and completed_at change by transition only.
ACTIVITY_EDITABLE = frozenset(
    {
        "type",
        "subject",
        "description",
        "due_at",
        "contact",
        "company",
        "deal",
        "owner",
        "remind_before_minutes",
    }
)


def _check_editable(data: dict) -> None:
    """ValueError for a field a client may not set (a foreign key may come as its
    attname, `contact_id`, with an id)."""
    names = {Activity._meta.get_field(name).name for name in data}
    unknown = names - ACTIVITY_EDITABLE
    if unknown:
        raise ValueError(f"Not editable: {', '.join(sorted(unknown))}.")


def activity_create(*, account, by, source: Source, data: dict) -> Activity:
    """A new pending activity of `account` from validated `data` (model field names).
    Appends `activity.created`."""
    _check_editable(data)
    activity = Activity(account_id=getattr(account, "pk", account), **data)
    activity.remind_at = Activity.reminder_time(activity.due_at, activity.remind_before_minutes)
    row_insert(ACTIVITY, record=activity, by=by, source=source)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, by, source: Source, data: dict) -> Activity:
    """Write the fields of `data` that differ from the stored activity, and nothing
    else, so concurrent edits of other fields and transitions survive. Appends
    `activity.updated`, or nothing when nothing changed."""
    _check_editable(data)
    current = row_lock(ACTIVITY, activity)
    values = values_that_change(current, data)
    if values.keys() & {"due_at", "remind_before_minutes"}:
        # A new due time or lead time arms the reminder afresh (sent again when due_at
        # moves; notifications.reminders keeps one per due_at).
        values["remind_at"] = Activity.reminder_time(
            values.get("due_at", current.due_at),
            values.get("remind_before_minutes", current.remind_before_minutes),
        )
    row_update(
        ACTIVITY,
        current=current,
        by=by,
        source=source,
        action="updated",
        values=values,
    )
    return refreshed(activity, current)


@transaction.atomic
def _activity_transition(*, activity: Activity, by, source: Source, action: str) -> Activity:
    current = row_lock(ACTIVITY, activity)
    values = current.transition_values(action)
    row_update(
        ACTIVITY,
        current=current,
        by=by,
        source=source,
        action=Activity.TRANSITIONS[action][2],
        values=values,
        guard={"status": current.status},
        conflict=f"Cannot {action} this activity: it changed meanwhile.",
    )
    return refreshed(activity, current)


def activity_start(*, activity: Activity, by, source: Source) -> Activity:
    """pending → in_progress (InvalidTransition otherwise). `activity.started`."""
    return _activity_transition(activity=activity, by=by, source=source, action="start")


def activity_complete(*, activity: Activity, by, source: Source) -> Activity:
    """pending or in_progress → completed, completed_at now. `activity.completed`."""
    return _activity_transition(activity=activity, by=by, source=source, action="complete")


def activity_cancel(*, activity: Activity, by, source: Source) -> Activity:
    """pending or in_progress → cancelled. `activity.cancelled`."""
    return _activity_transition(activity=activity, by=by, source=source, action="cancel")


def activity_reopen(*, activity: Activity, by, source: Source) -> Activity:
    """completed or cancelled → pending, completed_at cleared. `activity.reopened`."""
    return _activity_transition(activity=activity, by=by, source=source, action="reopen")


@transaction.atomic
def activity_delete(*, activity: Activity, by, source: Source) -> None:
    """Delete the activity; `activity.deleted` carries it as it was."""
    records_trash(ACTIVITY, rows=[row_lock(ACTIVITY, activity)], by=by, source=source)


def activity_delete_many(*, activities, by, source: Source) -> int:
    """Delete the activities of a queryset (the admin's bulk delete), an
    `activity.deleted` event for each, appended in one batch; how many were deleted."""
    return records_trash_queryset(ACTIVITY, queryset=activities, by=by, source=source)


@transaction.atomic
def activity_reschedule(*, activity: Activity, by, source: Source, day, zone, at=None) -> Activity:
    """Move the activity to calendar `day` (a date in `zone`, the account's time zone)
    at wall-clock time `at`, or without one keeping its time of day as stored when the
    row is locked (9:00 for an undated one), so a time someone changed meanwhile is the
    one kept (lib.due_shortcuts.on_day). Appends `activity.updated` (nothing when it is
    already due then)."""
    current = row_lock(ACTIVITY, activity)
    due_at = on_day(day, keeping=current.due_at, zone=zone, at=at)
    validate_calendar_range(due_at)
    row_update(
        ACTIVITY,
        current=current,
        by=by,
        source=source,
        action="updated",
        values=values_that_change(current, {"due_at": due_at}),
    )
    return refreshed(activity, current)


@transaction.atomic
def activity_log(
    *, account, by, source: Source, data: dict, follow_up: dict | None = None
) -> tuple[Activity, Activity | None]:
    """Record something that happened (a call, a meeting: `data` as for
    `activity_create`) as a completed activity and, with `follow_up`, create the next
    activity, all or nothing. Appends `activity.created` and `activity.completed` for
    the logged one, `activity.created` for the follow-up."""
    logged = activity_create(account=account, by=by, source=source, data=data)
    logged = activity_complete(activity=logged, by=by, source=source)
    created = None
    if follow_up is not None:
        created = activity_create(account=account, by=by, source=source, data=follow_up)
    return logged, created


def calendar_feed_of(*, account, user) -> CalendarFeed:
    """The user's calendar feed in `account`, created on first use. Two first uses at
    once meet on the (account, user) constraint; get_or_create then reads the winner's,
    so both show the same URL."""
    feed, _created = CalendarFeed.objects.for_account(account).get_or_create(
        account_id=getattr(account, "pk", account), user=user, defaults=_fresh_secret()
    )
    return feed


@transaction.atomic
def calendar_feed_reset(*, account, user) -> CalendarFeed:
    """A new secret for the user's calendar feed in `account`: the old URL answers 404
    from the commit on."""
    feed = calendar_feed_of(account=account, user=user)
    values = {**_fresh_secret(), "reset_at": timezone.now()}
    CalendarFeed.objects.for_account(account).filter(pk=feed.pk).update(**values)
    for name, value in values.items():
        setattr(feed, name, value)
    return feed


def _fresh_secret() -> dict:
    nonce = calendar_feeds.new_nonce()
    secret = calendar_feeds.secret_of(nonce)
    return {"nonce": nonce, "secret_hash": calendar_feeds.secret_hash(secret)}
