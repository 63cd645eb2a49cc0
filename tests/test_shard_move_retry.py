"""A safe request whose statement met a Citus shard switch runs once more; nothing else
does (crm_project/shard_move_retry.py).

The failure is the database's own: on PostgreSQL the chosen statement is replaced by
one that makes the server raise Citus's error (same SQLSTATE XX000, same text), so it
reaches the app as psycopg and Django would hand it over; on SQLite the wrapper raises
Django's InternalError with that text. Requests run in autocommit, as served (a test
transaction around them would rightly stop the retry)."""

import re
from collections import Counter

import pytest
from django.core.cache import caches
from django.db import InternalError, connection
from django.test import Client

from contacts.models import Contact
from events.models import Event
from tests.factories import ContactFactory, ContactTagFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

SHARD_GONE = "could not find valid entry for shard 102008"
TABLE = re.compile(r'(?:FROM|INTO|UPDATE) "(\w+)"')


class DatabaseFault:
    """An execute wrapper: the first `times` statements that start with `verb` and
    name `table` fail with `message` instead of running. Counts every statement by
    (verb, first table it names)."""

    def __init__(self, table, *, verb="SELECT", times=1, message=SHARD_GONE):
        self.table, self.verb, self.times, self.message = table, verb, times, message
        self.failed = 0
        self.runs = Counter()

    def __call__(self, execute, sql, params, many, context):
        verb = sql.lstrip().split(None, 1)[0].upper()
        named = TABLE.search(sql)
        self.runs[verb, named and named.group(1)] += 1
        if verb == self.verb and f'"{self.table}"' in sql and self.failed < self.times:
            self.failed += 1
            return self.fail(execute, context)
        return execute(sql, params, many, context)

    def fail(self, execute, context):
        if connection.vendor != "postgresql":
            raise InternalError(self.message)
        assert "'" not in self.message
        raise_it = f"DO $$ BEGIN RAISE EXCEPTION '{self.message}' USING ERRCODE = 'XX000'; END $$"
        return execute(raise_it, None, False, context)


def request(client, method, url, fault, **kwargs):
    with connection.execute_wrapper(fault):
        return getattr(client, method)(url, **kwargs)


@pytest.fixture
def tagged_contact(owner):
    contact = ContactFactory(account=owner.account, first_name="Ada", last_name="Lovelace")
    ContactTagFactory(contact=contact, tag=TagFactory(account=owner.account, name="vip"))
    return contact


def contact_reads(fault):
    return fault.runs["SELECT", "contacts_contact"]


def test_a_get_that_meets_a_shard_switch_answers_from_its_retry(owner, tagged_contact):
    url = f"/api/v1/crm/contacts/{tagged_contact.pk}/"
    # The statement that failed in `make citus-bench`: the tag lists, second of the view.
    once = DatabaseFault("contacts_contacttag", times=0)
    assert request(owner.client, "get", url, once).status_code == 200
    fault = DatabaseFault("contacts_contacttag")
    response = request(owner.client, "get", url, fault)
    assert fault.failed == 1
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["first_name"], [t["name"] for t in body["tags"]]) == (
        tagged_contact.pk,
        "Ada",
        ["vip"],
    )
    assert contact_reads(fault) == 2 * contact_reads(once)  # the view ran twice


def test_a_web_page_and_an_admin_page_are_retried_too(owner, tagged_contact):
    web = Client()
    web.force_login(owner.user)
    fault = DatabaseFault("contacts_contacttag")
    page = request(web, "get", f"/contacts/{tagged_contact.pk}/", fault)
    assert (fault.failed, page.status_code) == (1, 200)
    assert "Lovelace" in page.content.decode()

    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    fault = DatabaseFault("contacts_contact")
    page = request(admin, "get", f"/admin/contacts/contact/{tagged_contact.pk}/change/", fault)
    assert (fault.failed, page.status_code) == (1, 200)
    assert "Lovelace" in page.content.decode()


def test_a_post_that_meets_a_shard_switch_is_not_retried(owner):
    owner.client.raise_request_exception = False
    events = Event.objects.for_account(owner.account)
    events_before = events.count()
    # The create's first write done, its event's fails: the whole create rolls back.
    fault = DatabaseFault("events_event", verb="INSERT")
    response = request(
        owner.client,
        "post",
        "/api/v1/crm/contacts/",
        fault,
        data={"first_name": "Bo"},
        format="json",
    )
    assert fault.failed == 1
    assert response.status_code == 500
    assert fault.runs["INSERT", "contacts_contact"] == 1  # written once, not again
    assert not Contact.objects.for_account(owner.account).filter(first_name="Bo").exists()
    assert events.count() == events_before


def test_a_second_failure_is_not_retried_again(owner, tagged_contact):
    owner.client.raise_request_exception = False
    url = f"/api/v1/crm/contacts/{tagged_contact.pk}/"
    once = DatabaseFault("contacts_contacttag", times=0)
    request(owner.client, "get", url, once)
    fault = DatabaseFault("contacts_contacttag", times=5)
    response = request(owner.client, "get", url, fault)
    assert response.status_code == 500
    assert fault.failed == 2
    assert contact_reads(fault) == 2 * contact_reads(once)


@pytest.mark.parametrize(
    "message",
    [
        "could not find valid entry",  # cut short: not the shard's message
        "shard 102008 is being moved",
        "deadlock detected",
    ],
)
def test_other_database_errors_are_not_retried(owner, tagged_contact, message):
    owner.client.raise_request_exception = False
    url = f"/api/v1/crm/contacts/{tagged_contact.pk}/"
    fault = DatabaseFault("contacts_contacttag", times=5, message=message)
    assert request(owner.client, "get", url, fault).status_code == 500
    assert fault.failed == 1


def test_a_missing_shaped_table_of_this_node_is_not_taken_for_a_moved_shard(owner):
    """Citus's worker answers a read of a dropped shard `relation "x_102008" does not
    exist` from "while executing command on <worker>"; the same error of the node the
    app talks to is a real one, not retried."""
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's error fields")
    from crm_project.shard_move_retry import is_shard_switch_error

    with pytest.raises(Exception) as caught, connection.cursor() as cursor:
        cursor.execute('SELECT 1 FROM "contacts_contact_102008"')
    assert 'relation "contacts_contact_102008" does not exist' in str(caught.value)
    assert not is_shard_switch_error(caught.value)


def test_a_retried_get_counts_once_against_the_rate_limit(owner, tagged_contact, settings):
    # Real counters of this test's own (the suite's settings keep none).
    counters = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "retry"}
    settings.CACHES = {**settings.CACHES, "throttles": counters}
    caches["throttles"].clear()
    url = f"/api/v1/crm/contacts/{tagged_contact.pk}/"

    def remaining(response):
        assert response.status_code == 200
        return int(response["RateLimit-Remaining"])

    before = remaining(owner.client.get(url))
    fault = DatabaseFault("contacts_contacttag")
    retried = request(owner.client, "get", url, fault)
    assert fault.failed == 1
    assert remaining(retried) == before - 1
    assert remaining(owner.client.get(url)) == before - 2  # the counter holds one, not two
