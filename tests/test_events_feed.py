"""`GET /api/v1/crm/events/`: the account's events after a cursor, ascending."""

import pytest

from events.models import Source
from events.services import EventDraft, event_append, events_append
from tests.queries import assert_same_count, capture_queries

pytestmark = pytest.mark.django_db
FEED = "/api/v1/crm/events/"


def append(actor, record_type="contact", record_id=1, action="created", **kwargs):
    return event_append(
        account=actor.account,
        by=actor.user,
        source=Source.API,
        record_type=record_type,
        record_id=record_id,
        action=action,
        **kwargs,
    )


def ids(response):
    assert response.status_code == 200, response.content
    return [event["id"] for event in response.json()["results"]]


def test_an_event_is_shown_as_the_contract_says(owner):
    event = append(
        owner,
        record_id=42,
        action="updated",
        changes={"email": ["a@x.io", "b@x.io"]},
        data={"id": 42},
    )
    body = owner.client.get(FEED).json()
    assert body == {
        "results": [
            {
                "id": event.pk,
                "type": "contact.updated",
                "at": event.at.isoformat().replace("+00:00", "Z"),
                "actor": owner.user.pk,
                "source": "api",
                "record": {"type": "contact", "id": 42},
                "changes": {"email": ["a@x.io", "b@x.io"]},
                "data": {"id": 42},
            }
        ],
        "next_after": event.pk,
    }


def test_a_system_event_has_no_actor(owner):
    event_append(
        account=owner.account,
        by=None,
        source=Source.SYSTEM,
        record_type="deal",
        record_id=1,
        action="created",
    )
    assert owner.client.get(FEED).json()["results"][0]["actor"] is None


def test_a_poller_reads_forward_from_next_after_in_pages(owner):
    events = [append(owner, record_id=n) for n in range(1, 6)]
    first = owner.client.get(FEED, {"limit": 2}).json()
    assert [e["id"] for e in first["results"]] == [e.pk for e in events[:2]]
    second = owner.client.get(FEED, {"after": first["next_after"], "limit": 2}).json()
    assert [e["id"] for e in second["results"]] == [e.pk for e in events[2:4]]
    third = owner.client.get(FEED, {"after": second["next_after"]}).json()
    assert [e["id"] for e in third["results"]] == [events[4].pk]


def test_next_after_stays_at_the_given_after_when_nothing_is_new(owner):
    event = append(owner)
    body = owner.client.get(FEED, {"after": event.pk}).json()
    assert body == {"results": [], "next_after": event.pk}
    assert owner.client.get(FEED, {"after": 10**12}).json()["next_after"] == 10**12


def test_the_limit_defaults_to_100_and_goes_up_to_500(owner):
    events_append(
        account=owner.account,
        by=None,
        source=Source.IMPORT,
        drafts=[
            EventDraft(record_type="contact", record_id=n, action="created") for n in range(1, 502)
        ],
    )
    assert len(ids(owner.client.get(FEED))) == 100
    assert len(ids(owner.client.get(FEED, {"limit": 500}))) == 500


@pytest.mark.parametrize(
    "query",
    [
        {"after": "abc"},
        {"after": "-1"},
        {"after": "1.5"},
        {"after": str(2**64)},
        {"limit": "0"},
        {"limit": "501"},
        {"limit": "ten"},
        {"type": "contact"},
        {"type": "DROP TABLE"},
        {"record_type": "pipeline"},
        {"record_id": "x"},
        {"record_id": str(2**64)},
    ],
)
def test_a_bad_query_is_a_400_naming_the_parameter(owner, query):
    response = owner.client.get(FEED, query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


def test_type_may_repeat_and_record_wildcards_match_every_action(owner):
    created = append(owner, "deal", 1, "created")
    won = append(owner, "deal", 1, "won")
    note = append(owner, "note", 2, "created")
    append(owner, "contact", 3, "updated", changes={"a": [1, 2]})
    assert ids(owner.client.get(FEED, {"type": "deal.*"})) == [created.pk, won.pk]
    assert ids(owner.client.get(f"{FEED}?type=deal.won&type=note.created")) == [won.pk, note.pk]


def test_record_filters_narrow_to_one_record(owner):
    mine = append(owner, "contact", 7, "created")
    append(owner, "contact", 8, "created")
    append(owner, "company", 7, "created")
    assert ids(owner.client.get(FEED, {"record_type": "contact", "record_id": 7})) == [mine.pk]


def test_a_teammate_sees_the_accounts_events_and_an_outsider_none(owner, teammate, outsider):
    event = append(owner)
    assert ids(teammate.client.get(FEED)) == [event.pk]
    assert ids(outsider.client.get(FEED)) == []
    assert outsider.client.get(FEED, {"record_id": 1}).json()["results"] == []


def test_an_outsider_cannot_read_the_owners_feed_by_naming_the_account(owner, outsider):
    append(owner)
    response = outsider.client.get(FEED, HTTP_X_ACCOUNT=str(owner.account.pk))
    assert response.status_code == 403
    assert "results" not in response.json()


def test_the_feed_takes_as_many_queries_for_300_events_as_for_3(owner):
    def queries_for(count):
        events_append(
            account=owner.account,
            by=owner.user,
            source=Source.API,
            drafts=[
                EventDraft(
                    record_type="deal",
                    record_id=n,
                    action="moved",
                    changes={"stage": [1, 2]},
                    data={"id": n},
                )
                for n in range(count)
            ],
        )
        owner.client.get(FEED)  # warm up auth caches alike for both sizes
        with capture_queries() as captured:
            assert owner.client.get(FEED, {"limit": 500}).status_code == 200
        return captured

    assert_same_count(queries_for(3), queries_for(300))
