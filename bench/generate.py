"""Generate the benchmark data set on PostgreSQL, in SQL, fast.

One large account — at SCALE=1: 1,000,000 contacts, 100,000 companies (a tenth of them
subsidiaries), 200,000 deals in two pipelines and two currencies, 1,000,000 activities
and 1,000,000 notes, and 10,000,000 events of changes to them over the last 90 days —
plus 20 small accounts beside it. The large account's contacts carry three defined
custom fields: `source` (a select of ten sources, `web` a tenth of them), `score`
(a number, 0-100) and `newsletter` (a boolean). Every count is multiplied by
SCALE. Rows are made by `INSERT ... SELECT generate_series(...)` with secondary
indexes dropped during the load and rebuilt after it (far faster than maintaining
GIN indexes row by row). One contact, the "heavy" one, gets 1,000 timeline items and
300 events.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from django.db import connection, transaction
from faker import Faker

from accounts.services import account_create
from companies.matching_keys import backfill_company_keys
from contacts.matching_keys import backfill_contact_keys
from customfields.services import custom_field_create
from deals.models import Pipeline, Stage
from deals.services import pipeline_create

TABLES = [
    "companies_company",
    "contacts_contact",
    "contacts_contacttag",
    "deals_deal",
    "activities_activity",
    "notes_note",
    "events_event",
    "accounts_customvalue",  # kept by triggers as the contacts load (custom values)
]
# The `source` values of the large account's contacts, spread evenly (`web` is a tenth).
SOURCES = [
    "web",
    "referral",
    "event",
    "ads",
    "partner",
    "webinar",
    "cold call",
    "linkedin",
    "trade show",
    "newsletter",
]
CONTACT_CUSTOM_FIELDS = [
    {"key": "source", "label": "Source", "type": "select", "options": SOURCES},
    {"key": "score", "label": "Lead score", "type": "number"},
    {"key": "newsletter", "label": "Newsletter", "type": "boolean"},
]

SENTENCES = [
    "Discussed the renewal and a possible upgrade to the enterprise plan.",
    "They asked for a revised quote with volume pricing.",
    "Procurement needs the security questionnaire before signing.",
    "Demo went well; the operations lead wants a pilot next month.",
    "Left a voicemail about the onboarding schedule.",
    "Budget is approved; legal is reviewing the contract.",
    "Shared two case studies from logistics customers.",
    "Follow up after the trade show, interested in the integration.",
]


@dataclass
class Counts:
    contacts: int
    companies: int
    deals: int
    activities: int
    notes: int
    events: int
    small_accounts: int = 20
    small_contacts: int = 500

    @classmethod
    def at(cls, scale: float) -> Counts:
        def n(full):
            return max(10, int(full * scale))

        return cls(
            contacts=n(1_000_000),
            companies=n(100_000),
            deals=n(200_000),
            activities=n(1_000_000),
            notes=n(1_000_000),
            events=n(10_000_000),
        )


def _names():
    fake = Faker("en_US")
    fake.seed_instance(7)
    first = sorted({fake.first_name() for _ in range(3000)})[:400]
    last = sorted({fake.last_name() for _ in range(3000)})[:400]
    words = sorted({fake.company().split(" ")[0].replace(",", "") for _ in range(3000)})[:500]
    return first + ["Alice", "Alison", "Ali"], last + ["Smith", "Smithers"], words


def _secondary_indexes(cursor, table):
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p','u'))",
        [table],
    )
    return cursor.fetchall()


def _first_id(cursor, table, account_id) -> int:
    """The account's lowest id in `table`, read once and passed to the next INSERTs as
    a value: a subquery on a distributed table would make Citus run the INSERT ...
    SELECT on the workers, whose sequences hand out ids from 2^48 up (groupid << 48),
    far from the coordinator's; and the backfills walk ids from min to max."""
    cursor.execute(f"SELECT min(id) FROM {table} WHERE account_id = %s", [account_id])
    return cursor.fetchone()[0] or 1


def _exec(cursor, sql, params):
    cursor.execute(sql, params)


def generate(scale: float, log=print) -> dict:
    """Create the accounts and rows; returns what the load test needs (ids, names)."""
    counts = Counts.at(scale)
    first, last, words = _names()
    started = time.perf_counter()
    big = account_create(
        name="Bench Large Co",
        username="bench",
        password="bench-pass",
        currency="USD",
        time_zone="America/New_York",
    )
    owner_id = big.memberships.get().user_id
    for definition in CONTACT_CUSTOM_FIELDS:
        custom_field_create(account=big, data={"record_type": "contact", **definition})
    pipeline_create(
        account=big,
        name="Partners",
        stages=[
            {"name": "Intro", "probability": 15},
            {"name": "Pilot", "probability": 40},
            {"name": "Contract", "probability": 80},
        ],
    )
    stage_ids = list(
        Stage.objects.for_account(big)
        .order_by("pipeline_id", "position")
        .values_list("id", "pipeline_id")
    )
    params = {
        "a": big.pk,
        "owner": owner_id,
        "first": first,
        "last": last,
        "words": words,
        "sentences": SENTENCES,
        "sources": SOURCES,
    }
    with connection.cursor() as cursor:
        saved = {t: _secondary_indexes(cursor, t) for t in TABLES}
        for indexes in saved.values():
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        with transaction.atomic():
            _companies(cursor, params, counts)
            params["company_base"] = _first_id(cursor, "companies_company", big.pk)
            _contacts(cursor, params, counts)
            params["contact_base"] = _first_id(cursor, "contacts_contact", big.pk)
            _deals(cursor, params, counts, stage_ids)
            _activities(cursor, params, counts)
            _notes(cursor, params, counts)
            # Rows written in SQL get their duplicate keys as migrations backfill them.
            keys_started = time.perf_counter()
            backfill_contact_keys(connection, account_id=big.pk)
            backfill_company_keys(connection, account_id=big.pk)
            log(f"  duplicate keys written in {time.perf_counter() - keys_started:.0f}s")
            events_started = time.perf_counter()
            _events(cursor, params, counts)
            log(
                f"  {counts.events:,} events inserted in "
                f"{time.perf_counter() - events_started:.0f}s"
            )
        log(f"  rows loaded in {time.perf_counter() - started:.0f}s; rebuilding indexes")
        for indexes in saved.values():
            for _name, definition in indexes:
                cursor.execute(definition)
        # As after any bulk load: VACUUM sets the visibility map (index-only scans need
        # it; production tables get it from autovacuum) and ANALYZE the statistics.
        for table in TABLES:
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    with connection.cursor() as cursor:
        # A contact that shares its name with a few and its phone with many (the
        # generator gives 100 contacts each phone): the duplicates endpoint's subject.
        cursor.execute("SELECT min(id) FROM contacts_contact WHERE account_id = %s", [big.pk])
        (duplicate_contact,) = cursor.fetchone()
    small = _small_accounts(counts, first, last)
    heavy = _heavy_contact(big)
    _heavy_history(big, heavy)
    log(f"  generated in {time.perf_counter() - started:.0f}s")
    return {
        "account_id": big.pk,
        "username": "bench",
        "password": "bench-pass",
        "heavy_contact_id": heavy,
        "duplicate_contact_id": duplicate_contact,
        "counts": counts.__dict__,
        "small_accounts": small,
        "event_ids": _event_ids(big),
    }


def _companies(cursor, p, c: Counts):
    p = p | {"n": c.companies, "parents": c.companies - c.companies // 10}
    _exec(
        cursor,
        """
        INSERT INTO companies_company (account_id, name, domain, industry, size, owner_id,
            custom_fields, created_at, updated_at)
        SELECT %(a)s,
               w1 || ' ' || w2 || ' ' || (ARRAY['Inc','Ltd','Group','GmbH','LLC'])[1 + i %% 5],
               lower(w1) || i || '.example.com',
               (ARRAY['Software','Retail','Logistics','Healthcare','Finance'])[1 + i %% 5],
               (ARRAY['1-10','11-50','51-200','201-500','501-1000','1001-5000','5001+'])[1 + i %% 7],
               %(owner)s, '{}', now() - (i || ' minutes')::interval,
               now() - (i || ' minutes')::interval
        FROM (SELECT i, (%(words)s::text[])[1 + (i * 7) %% array_length(%(words)s::text[], 1)] AS w1,
                        (%(words)s::text[])[1 + (i * 13) %% array_length(%(words)s::text[], 1)] AS w2
              FROM generate_series(1::bigint, %(n)s) AS i) AS g
    """,
        p,
    )
    # The last tenth are subsidiaries of the first companies.
    _exec(
        cursor,
        """
        WITH ids AS (SELECT id, row_number() OVER (ORDER BY id) AS r FROM companies_company
                     WHERE account_id = %(a)s)
        UPDATE companies_company c SET parent_id = parent.id
        FROM ids child JOIN ids parent ON parent.r = 1 + (child.r %% 1000)
        WHERE c.id = child.id AND child.r > %(parents)s
    """,
        p,
    )


def _contacts(cursor, p, c: Counts):
    p = p | {"n": c.contacts, "companies": c.companies}
    _exec(
        cursor,
        """
        INSERT INTO contacts_contact (account_id, first_name, last_name, email, phone, title,
            company_id, owner_id, custom_fields, created_at, updated_at)
        SELECT %(a)s, f, l, lower(f) || '.' || lower(l) || i || '@example.com',
               '+1415555' || lpad((i %% 10000)::text, 4, '0'), 'Buyer',
               CASE WHEN i %% 5 = 0 THEN NULL ELSE
                 %(company_base)s
                 + (i %% %(companies)s) END,
               %(owner)s,
               jsonb_build_object(
                 'source', (%(sources)s::text[])[1 + (i * 31) %% array_length(%(sources)s::text[], 1)],
                 'score', (i * 37) %% 101,
                 'newsletter', i %% 3 = 0),
               now() - (i || ' seconds')::interval,
               now() - (i || ' seconds')::interval
        FROM (SELECT i,
                (%(first)s::text[])[1 + (i * 7919) %% array_length(%(first)s::text[], 1)] AS f,
                (%(last)s::text[])[1 + (i * 104729) %% array_length(%(last)s::text[], 1)] AS l
              FROM generate_series(1::bigint, %(n)s) AS i) AS g
    """,
        p,
    )


def _deals(cursor, p, c: Counts, stage_ids):
    stages = [s for s, _pipe in stage_ids]
    pipes = [pipe for _s, pipe in stage_ids]
    p = p | {
        "n": c.deals,
        "stages": stages,
        "pipes": pipes,
        "contacts": c.contacts,
        "companies": c.companies,
    }
    _exec(
        cursor,
        """
        INSERT INTO deals_deal (account_id, title, pipeline_id, stage_id, value_cents, currency,
            probability, status, closed_at, lost_reason, expected_close_date, contact_id,
            company_id, owner_id, created_at, updated_at)
        SELECT %(a)s, 'Deal ' || i, (%(pipes)s::bigint[])[k], (%(stages)s::bigint[])[k],
               (i * 7919) %% 5000000, CASE WHEN i %% 4 = 0 THEN 'EUR' ELSE 'USD' END,
               CASE WHEN i %% 10 = 0 THEN (i %% 100)::smallint END,
               st, CASE WHEN st = 'open' THEN NULL ELSE now() - (i %% 90 || ' days')::interval END,
               '', current_date + (i %% 180)::int,
               %(contact_base)s + (i %% %(contacts)s),
               %(company_base)s + (i %% %(companies)s),
               %(owner)s, now() - (i || ' minutes')::interval, now() - (i || ' minutes')::interval
        FROM (SELECT i, 1 + (i %% array_length(%(stages)s::bigint[], 1))::int AS k,
                     (ARRAY['open','open','open','open','won','lost','abandoned'])[1 + i %% 7] AS st
              FROM generate_series(1::bigint, %(n)s) AS i) AS g
    """,
        p,
    )


def _activities(cursor, p, c: Counts):
    p = p | {"n": c.activities, "contacts": c.contacts}
    _exec(
        cursor,
        """
        INSERT INTO activities_activity (account_id, type, subject, description, status, due_at,
            completed_at, contact_id, owner_id, created_at, updated_at)
        SELECT %(a)s, (ARRAY['call','email','meeting','task'])[1 + i %% 4], 'Follow up ' || i,
               '', st, now() + ((i %% 60) - 30 || ' days')::interval,
               CASE WHEN st = 'completed' THEN now() - (i %% 30 || ' days')::interval END,
               %(contact_base)s + (i %% %(contacts)s),
               %(owner)s, now() - (i || ' seconds')::interval, now() - (i || ' seconds')::interval
        FROM (SELECT i, (ARRAY['pending','pending','in_progress','completed','cancelled'])[1 + i %% 5] AS st
              FROM generate_series(1::bigint, %(n)s) AS i) AS g
    """,
        p,
    )


def _notes(cursor, p, c: Counts):
    p = p | {"n": c.notes, "contacts": c.contacts}
    _exec(
        cursor,
        """
        INSERT INTO notes_note (account_id, body, kind, direction, occurred_at, contact_id,
            author_id, created_at, updated_at)
        SELECT %(a)s, '<p>' || (%(sentences)s::text[])[1 + i %% array_length(%(sentences)s::text[], 1)] || '</p>',
               k, CASE WHEN k = 'note' THEN NULL ELSE 'outbound' END,
               now() - (i || ' minutes')::interval,
               %(contact_base)s + (i %% %(contacts)s),
               %(owner)s, now() - (i || ' minutes')::interval, now() - (i || ' minutes')::interval
        FROM (SELECT i, (ARRAY['note','email','call','sms'])[1 + i %% 4] AS k
              FROM generate_series(1::bigint, %(n)s) AS i) AS g
    """,
        p,
    )


def _small_accounts(c: Counts, first, last) -> list[int]:
    ids = []
    rng = random.Random(3)
    for n in range(c.small_accounts):
        account = account_create(
            name=f"Bench Small {n}", username=f"bench-small-{n}", password="bench-pass"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO contacts_contact (account_id, first_name, last_name, email, phone,
                    title, custom_fields, created_at, updated_at)
                SELECT %s, %s, %s, 'small' || i || '@example.com', '', '', '{}', now(), now()
                FROM generate_series(1, %s) AS i
            """,
                [account.pk, rng.choice(first), rng.choice(last), c.small_contacts],
            )
        backfill_contact_keys(connection, account_id=account.pk)
        ids.append(account.pk)
    return ids


def _heavy_contact(account) -> int:
    """A contact with exactly 1,000 timeline items: 400 notes, 400 activities, 200 deals."""
    from contacts.models import Contact

    contact = Contact.objects.for_account(account).create(
        account=account, first_name="Heavy", last_name="Timeline", email="heavy@example.com"
    )
    pipeline = Pipeline.objects.for_account(account).get(name="Sales")
    stage = Stage.objects.for_account(account).filter(pipeline=pipeline).first()
    params = {"a": account.pk, "c": contact.pk, "p": pipeline.pk, "s": stage.pk}
    # One statement per execute(): with server-side binding (the app's setting) a
    # parameterised query cannot hold several.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO notes_note (account_id, body, kind, occurred_at, contact_id, created_at,
                updated_at)
            SELECT %(a)s, '<p>Timeline note ' || i || '</p>', 'note',
                   now() - (i || ' hours')::interval, %(c)s, now(), now()
            FROM generate_series(1, 400) AS i
        """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO activities_activity (account_id, type, subject, description, status,
                due_at, contact_id, created_at, updated_at)
            SELECT %(a)s, 'task', 'Timeline task ' || i, '', 'pending',
                   now() - (i || ' hours')::interval, %(c)s, now(), now()
            FROM generate_series(1, 400) AS i
        """,
            params,
        )
        cursor.execute(
            """
            INSERT INTO deals_deal (account_id, title, pipeline_id, stage_id, value_cents,
                currency, status, lost_reason, contact_id, created_at, updated_at)
            SELECT %(a)s, 'Timeline deal ' || i, %(p)s, %(s)s, 1000, 'USD', 'open', '', %(c)s,
                   now() - (i || ' hours')::interval, now()
            FROM generate_series(1, 200) AS i
        """,
            params,
        )
    return contact.pk


# Where each event's record comes from: (record type, table, count attribute), in the
# proportions of a CRM's writes (contacts most, companies least).
EVENT_RECORDS = (
    [("contact", "contacts_contact", "contacts")] * 8
    + [("deal", "deals_deal", "deals")] * 5
    + [("activity", "activities_activity", "activities")] * 3
    + [("note", "notes_note", "notes")] * 2
    + [("company", "companies_company", "companies")] * 2
)


def _events(cursor, p, c: Counts):
    """`c.events` events, oldest first, spread over the last 89 days: a fifth `created`
    (empty changes), the rest `updated` (deals also `moved`) with one or two changed
    fields; `data` is a record representation of about 400 bytes, as the API's."""
    bases = {}
    for record_type, table, _count in EVENT_RECORDS:
        cursor.execute(f"SELECT min(id) FROM {table} WHERE account_id = %s", [p["a"]])
        bases[record_type] = cursor.fetchone()[0] or 1
    p = p | {
        "n": c.events,
        "types": [t for t, _table, _c in EVENT_RECORDS],
        "bases": [bases[t] for t, _table, _c in EVENT_RECORDS],
        "sizes": [getattr(c, count) for _t, _table, count in EVENT_RECORDS],
        "spacing": 89 * 86400 / c.events,
    }
    _exec(
        cursor,
        """
        INSERT INTO events_event (account_id, type, at, actor_id, source, record_type,
            record_id, changes, data)
        SELECT %(a)s, rt || '.' || act,
               now() - ((%(n)s - i) * %(spacing)s || ' seconds')::interval,
               CASE WHEN i %% 10 = 0 THEN NULL ELSE %(owner)s END,
               CASE WHEN i %% 10 = 0 THEN 'system'
                    ELSE (ARRAY['api','ui','ui','ui','import','admin'])[1 + i %% 6] END,
               rt, rid,
               CASE WHEN act = 'created' THEN '{}'::jsonb
                    WHEN act = 'moved' THEN jsonb_build_object(
                        'stage', jsonb_build_array(i %% 4 + 1, i %% 4 + 2))
                    WHEN i %% 3 = 0 THEN jsonb_build_object(
                        'email', jsonb_build_array('old' || i || '@example.com',
                                                   'person' || rid || '@example.com'),
                        'phone', jsonb_build_array(NULL, '+1 555 0100'))
                    ELSE jsonb_build_object(
                        'title', jsonb_build_array('Buyer', 'Head of procurement')) END,
               jsonb_build_object(
                   'id', rid, 'name', (%(words)s::text[])[1 + rid %% 500] || ' ' || rid,
                   'email', 'person' || rid || '@example.com', 'phone', '+1 555 0100',
                   'title', 'Head of procurement', 'owner', %(owner)s, 'company', rid %% 1000,
                   'tags', jsonb_build_array('customer', 'vip'),
                   'custom_fields', jsonb_build_object('region', 'EMEA', 'tier', i %% 3),
                   'summary', (%(sentences)s::text[])[1 + i %% 8],
                   'created_at', '2026-08-01T09:30:00Z', 'updated_at', '2026-11-24T09:30:00Z')
        FROM (SELECT i, rt, bases[k] + (i * 7919) %% sizes[k] AS rid,
                     CASE WHEN (i / 20) %% 5 = 0 THEN 'created'
                          WHEN rt = 'deal' AND (i / 20) %% 5 = 1 THEN 'moved'
                          ELSE 'updated' END AS act
              FROM (SELECT i, 1 + (i %% 20)::int AS k,
                           (%(types)s::text[])[1 + (i %% 20)::int] AS rt,
                           %(bases)s::bigint[] AS bases, %(sizes)s::bigint[] AS sizes
                    FROM generate_series(1::bigint, %(n)s) AS i) AS picked) AS g
    """,
        p,
    )


def _heavy_history(account, contact_id):
    """300 events of the heavy contact: the history page's benchmark."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO events_event (account_id, type, at, actor_id, source, record_type,
                record_id, changes, data)
            SELECT %(a)s, 'contact.updated', now() - (i || ' hours')::interval, NULL, 'api',
                   'contact', %(c)s,
                   jsonb_build_object('title', jsonb_build_array('Title ' || i, 'Title ' || i + 1)),
                   jsonb_build_object('id', %(c)s, 'first_name', 'Heavy', 'title', 'Title ' || i)
            FROM generate_series(1, 300) AS i
        """,
            {"a": account.pk, "c": contact_id},
        )


def _event_ids(account) -> dict:
    from events.models import Event

    ids = Event.objects.for_account(account).order_by("id").values_list("id", flat=True)
    return {"first": ids.first(), "last": ids.last()}
