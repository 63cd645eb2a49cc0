"""The secret calendar feed: a member's activities in an account as RFC 5545.

The URL carries the account's id and a secret: `/api/v1/calendar-feeds/<account>/<secret>.ics`.
The account's id routes the lookup to one shard (every query names its account) and
the secret, 256 bits, is the only credential a calendar program can keep. The secret is
`HMAC(SECRET_KEY, nonce)`; the table keeps the nonce and the secret's SHA-256, so the
URL can be shown again ("stays the same until reset") while a copy of the table opens
no feed. Rotating SECRET_KEY therefore changes every feed's URL: the old ones answer 404
and members copy the new one from their calendar page.

What a feed serves: the member's activities with a due date from WINDOW_DAYS back on,
soonest first, at most FEED_LIMIT of them (one query whatever the account holds).
"""

import base64
import datetime as dt
import hashlib
import secrets

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from icalendar import Calendar, Event

from activities.models import Activity, CalendarFeed

WINDOW_DAYS = 30
FEED_LIMIT = 2000
# How often calendar programs should fetch again (Apple and Outlook read these hints;
# Google polls on its own schedule).
REFRESH_INTERVAL = dt.timedelta(minutes=30)
_HMAC_SALT = "relay.activities.calendar_feed"

# RFC 5545 §3.8.1.11: a VEVENT's STATUS is TENTATIVE, CONFIRMED or CANCELLED; a done
# activity stays on the calendar as confirmed and says "Done" in its summary.
STATUS = {
    Activity.Status.PENDING: "CONFIRMED",
    Activity.Status.IN_PROGRESS: "CONFIRMED",
    Activity.Status.COMPLETED: "CONFIRMED",
    Activity.Status.CANCELLED: "CANCELLED",
}
SUMMARY_PREFIX = {Activity.Status.COMPLETED: "Done: ", Activity.Status.CANCELLED: "Cancelled: "}


def new_nonce() -> str:
    return secrets.token_hex(32)


def secret_of(nonce: str) -> str:
    """The URL's secret for a feed's nonce (43 URL-safe characters)."""
    digest = salted_hmac(_HMAC_SALT, nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def secret_hash(secret: str) -> str:
    """What the table stores of a secret, and looks it up by."""
    return hashlib.sha256(secret.encode()).hexdigest()


def feed_url(request, feed: CalendarFeed) -> str:
    """The absolute URL of a feed, as the API and the calendar page show it."""
    path = reverse(
        "api-calendar-feed",
        kwargs={"account_id": feed.account_id, "secret": secret_of(feed.nonce)},
    )
    return request.build_absolute_uri(path)


def feed_for_secret(account_id: int, secret: str) -> CalendarFeed | None:
    """The feed a URL names, if its user is still an active member of the account
    (one query); None otherwise, whatever the reason."""
    return (
        CalendarFeed.objects.for_account(account_id)
        .filter(
            secret_hash=secret_hash(secret),
            user__is_active=True,
            user__memberships__account_id=account_id,
            user__memberships__is_active=True,  # a deactivated member's feed stops
        )
        .select_related("account")
        .first()
    )


def feed_activities(feed: CalendarFeed, *, now=None):
    """The activities a feed serves: the user's in the account, due from WINDOW_DAYS
    ago on, soonest first, at most FEED_LIMIT (one query)."""
    since = (now or timezone.now()) - dt.timedelta(days=WINDOW_DAYS)
    return (
        Activity.objects.for_account(feed.account_id)
        .filter(owner_id=feed.user_id, due_at__gte=since)
        .select_related("contact", "company", "deal")
        .order_by("due_at", "id")[:FEED_LIMIT]
    )


def event_uid(activity: Activity, host: str) -> str:
    """Stable for the activity's life, whatever changes in it (RFC 5545 §3.8.4.7)."""
    return f"activity-{activity.pk}@{host}"


def activity_event(activity: Activity, *, host: str) -> Event:
    event = Event()
    event.add("uid", event_uid(activity, host))
    # DTSTAMP: without a METHOD, "the date and time that the information associated
    # with the calendar component was last revised" (§3.8.7.2): the activity's change.
    event.add("dtstamp", activity.updated_at.astimezone(dt.UTC))
    event.add("dtstart", activity.due_at.astimezone(dt.UTC))
    event.add("created", activity.created_at.astimezone(dt.UTC))
    event.add("last-modified", activity.updated_at.astimezone(dt.UTC))
    event.add("summary", SUMMARY_PREFIX.get(activity.status, "") + activity.subject)
    event.add("description", _description(activity))
    event.add("status", STATUS[activity.status])
    event.add("categories", [activity.get_type_display()])
    return event


def _description(activity: Activity) -> str:
    lines = [f"{activity.get_type_display()} · {activity.get_status_display()}"]
    for label, record in (
        ("Contact", activity.contact),
        ("Company", activity.company),
        ("Deal", activity.deal),
    ):
        if record is not None:
            lines.append(f"{label}: {record}")
    if activity.description:
        lines += ["", activity.description]
    return "\n".join(lines)


def calendar_of(feed: CalendarFeed, activities, *, host: str) -> bytes:
    """The RFC 5545 text of a feed."""
    calendar = Calendar()
    calendar.add("prodid", "-//Relay CRM//Activities//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Relay CRM: {feed.account.name}")
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH_INTERVAL)
    for activity in activities:
        calendar.add_component(activity_event(activity, host=host))
    return calendar.to_ical()
