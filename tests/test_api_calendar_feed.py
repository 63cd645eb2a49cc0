"""The calendar feed (API contract, "Activities: more"): `GET /api/v1/me/calendar/`
answers a secret URL that serves my activities in the account as RFC 5545, read back
here with the `icalendar` package."""

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import Membership
from activities.calendar_feeds import FEED_LIMIT, WINDOW_DAYS
from activities.models import Activity, CalendarFeed
from activities.services import activity_complete, activity_update
from events.models import Source
from tests.conftest import make_actor
from tests.factories import ActivityFactory, ContactFactory
from tests.queries import assert_queries, assert_same_count, capture_queries
from tests.races import ROUNDS, own_client, together

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def feed_url(actor) -> str:
    response = actor.client.get("/api/v1/me/calendar/")
    assert response.status_code == 200, response.content
    return response.json()["url"]


def fetch(url: str, client=None):
    """The feed as a calendar program fetches it: no credentials."""
    return (client or Client()).get(url.removeprefix("http://testserver"))


def events_of(url: str) -> dict:
    response = fetch(url)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def due(actor, days=1, **kwargs) -> Activity:
    kwargs.setdefault("due_at", NOW + dt.timedelta(days=days))
    return ActivityFactory(account=actor.account, owner=actor.user, **kwargs)


def test_the_url_is_absolute_and_the_same_until_reset(owner):
    url = feed_url(owner)
    assert url.startswith("http://testserver/api/v1/calendar-feeds/")
    assert url.endswith(".ics")
    assert feed_url(owner) == url
    assert CalendarFeed.objects.for_account(owner.account).count() == 1


def test_the_secret_is_not_stored(owner):
    url = feed_url(owner)
    secret = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(secret) == 43
    feed = CalendarFeed.objects.for_account(owner.account).get()
    assert secret not in (feed.nonce, feed.secret_hash)


def test_the_feed_is_valid_rfc_5545_with_one_event_per_activity(owner):
    contact = ContactFactory(account=owner.account, first_name="Ann", last_name="Lee")
    call = due(
        owner,
        type=Activity.Type.CALL,
        subject="Call Ann",
        description="About the renewal",
        contact=contact,
    )
    events = events_of(feed_url(owner))
    event = events[f"activity-{call.pk}@testserver"]
    assert list(events) == [f"activity-{call.pk}@testserver"]
    assert event.decoded("DTSTART") == call.due_at
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert event.decoded("DTSTAMP")
    assert str(event["SUMMARY"]) == "Call Ann"
    assert "Contact: Ann Lee" in str(event["DESCRIPTION"])
    assert "About the renewal" in str(event["DESCRIPTION"])
    assert str(event["STATUS"]) == "CONFIRMED"


def test_the_uid_stays_while_the_activity_changes(owner):
    activity = due(owner, subject="Demo")
    url = feed_url(owner)
    (uid,) = events_of(url)
    later = NOW + dt.timedelta(days=3)
    activity_update(
        activity=activity,
        by=owner.user,
        source=Source.API,
        data={"subject": "Demo, moved", "due_at": later},
    )
    event = events_of(url)[uid]
    assert str(event["SUMMARY"]) == "Demo, moved"
    assert event.decoded("DTSTART") == later


def test_done_and_cancelled_activities_say_so(owner):
    done = activity_complete(activity=due(owner, subject="Sent"), by=owner.user, source=Source.API)
    cancelled = due(owner, subject="Lunch", status=Activity.Status.CANCELLED)
    events = events_of(feed_url(owner))
    assert str(events[f"activity-{done.pk}@testserver"]["SUMMARY"]) == "Done: Sent"
    assert str(events[f"activity-{done.pk}@testserver"]["STATUS"]) == "CONFIRMED"
    assert str(events[f"activity-{cancelled.pk}@testserver"]["STATUS"]) == "CANCELLED"


def test_it_serves_from_thirty_days_back_on(owner):
    inside = due(owner, days=-(WINDOW_DAYS - 1))
    far_ahead = due(owner, days=400)
    due(owner, days=-(WINDOW_DAYS + 1))
    due(owner, due_at=None)
    uids = set(events_of(feed_url(owner)))
    assert uids == {f"activity-{a.pk}@testserver" for a in (inside, far_ahead)}


def test_it_serves_only_my_activities_in_this_account(owner, teammate, outsider):
    mine = due(owner)
    due(teammate)
    ActivityFactory(account=owner.account, owner=None, due_at=NOW)
    # The same user in another account: that account's activities stay out.
    Membership.objects.create(account=outsider.account, user=owner.user)
    ActivityFactory(account=outsider.account, owner=owner.user, due_at=NOW)
    assert set(events_of(feed_url(owner))) == {f"activity-{mine.pk}@testserver"}


def test_each_account_has_its_own_url(owner, outsider):
    Membership.objects.create(account=outsider.account, user=owner.user)
    here = feed_url(owner)
    there = owner.client.get("/api/v1/me/calendar/", HTTP_X_ACCOUNT=str(outsider.account.pk))
    assert there.json()["url"] != here


def test_reset_answers_a_new_url_and_the_old_one_is_404(owner):
    due(owner)
    old = feed_url(owner)
    response = owner.client.post("/api/v1/me/calendar/reset/")
    assert response.status_code == 200
    new = response.json()["url"]
    assert new != old
    assert fetch(old).status_code == 404
    assert len(events_of(new)) == 1
    assert feed_url(owner) == new


def test_a_url_with_another_accounts_id_is_404(owner, outsider):
    url = feed_url(owner)
    forged = url.replace(f"/{owner.account.pk}/", f"/{outsider.account.pk}/")
    assert fetch(forged).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/calendar-feeds/1/" + "A" * 43 + ".ics",
        "/api/v1/calendar-feeds/99999999999999999999/" + "A" * 43 + ".ics",
        "/api/v1/calendar-feeds/0/" + "A" * 43 + ".ics",
        "/api/v1/calendar-feeds/1/short.ics",
    ],
)
def test_a_wrong_url_is_404(owner, path):
    feed_url(owner)
    assert Client().get(path, HTTP_ACCEPT="text/calendar").status_code == 404


def test_a_member_who_left_has_no_feed(owner, teammate):
    due(teammate)
    url = feed_url(teammate)
    Membership.objects.filter(user=teammate.user).delete()
    assert fetch(url).status_code == 404


def test_a_deactivated_member_has_no_feed_until_reactivated(owner, teammate):
    from accounts.services import membership_deactivate, membership_reactivate

    due(teammate)
    url = feed_url(teammate)
    membership = Membership.objects.get(user=teammate.user)
    membership_deactivate(membership=membership)
    assert fetch(url).status_code == 404
    membership_reactivate(membership=membership)
    assert fetch(url).status_code == 200


def test_a_deactivated_user_has_no_feed(teammate):
    url = feed_url(teammate)
    teammate.user.is_active = False
    teammate.user.save(update_fields=["is_active"])
    assert fetch(url).status_code == 404


def test_the_urls_need_a_signed_in_caller():
    assert Client().get("/api/v1/me/calendar/").status_code == 401
    assert Client().post("/api/v1/me/calendar/reset/").status_code == 401


def test_the_feed_costs_two_queries_whatever_it_holds(owner):
    url = feed_url(owner)
    contact = ContactFactory(account=owner.account)

    def fetch_once():
        with capture_queries() as queries:
            assert fetch(url).status_code == 200
        return queries

    due(owner, contact=contact)
    small = fetch_once()
    for days in range(2, 12):
        due(owner, days=days, contact=contact)
    assert_same_count(small, fetch_once())
    with assert_queries(2):
        fetch(url)


def test_the_feed_stops_at_its_limit(owner, monkeypatch):
    monkeypatch.setattr("activities.calendar_feeds.FEED_LIMIT", 3)
    soonest = [due(owner, days=d) for d in (1, 2, 3)]
    due(owner, days=4)
    uids = set(events_of(feed_url(owner)))
    assert uids == {f"activity-{a.pk}@testserver" for a in soonest}
    assert FEED_LIMIT >= 1000


def test_the_feed_is_throttled(owner, settings, monkeypatch):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        "throttles": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"calendar-{uuid.uuid4().hex}",
        },
    }
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "calendar_feed": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)
    url = feed_url(owner)
    assert [fetch(url).status_code for _ in range(3)] == [200, 200, 429]
    assert fetch(url)["Retry-After"]


@pytest.mark.django_db(transaction=True)
def test_two_first_requests_at_once_get_the_same_url(account, on_postgres):
    if not on_postgres:
        pytest.skip("needs PostgreSQL's concurrent transactions")
    actor = make_actor(account)
    for _ in range(ROUNDS):
        CalendarFeed.objects.for_account(account).delete()
        clients = [own_client(actor), own_client(actor)]
        responses = together(*(lambda c=c: c.get("/api/v1/me/calendar/") for c in clients))
        assert [r.status_code for r in responses] == [200, 200], responses
        assert responses[0].json() == responses[1].json()
        assert CalendarFeed.objects.for_account(account).count() == 1


def test_a_retried_reset_with_its_idempotency_key_answers_the_same_url(owner):
    first = owner.client.post("/api/v1/me/calendar/reset/", HTTP_IDEMPOTENCY_KEY="reset-1")
    again = owner.client.post("/api/v1/me/calendar/reset/", HTTP_IDEMPOTENCY_KEY="reset-1")
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"url": feed_url(owner)}


def test_options_describe_the_routes(owner):
    for path in ("/api/v1/me/calendar/", "/api/v1/me/calendar/reset/"):
        assert owner.client.options(path).status_code == 200
