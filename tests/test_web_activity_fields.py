"""An activity's fields edited in place on its page (web/field_edits.py): each value
opens a small form for that field alone, a save goes through activity_update at the
version the form was opened on (a stale one is a 409 with the conflict notice), and
the saved value comes back."""

import datetime as dt
import json
import re

import pytest

from activities.models import Activity
from activities.services import activity_delete
from events.models import Event, Source
from lib.versions import version_of
from tests.factories import ActivityFactory, CompanyFactory, ContactFactory, DealFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
FIELDS = (
    "subject",
    "type",
    "due_at",
    "remind_before_minutes",
    "owner",
    "contact",
    "company",
    "deal",
    "description",
)


@pytest.fixture
def new_york(owner):
    owner.account.time_zone = "America/New_York"
    owner.account.save(update_fields=["time_zone"])
    return owner.account


def activity_of(actor, **kwargs):
    kwargs.setdefault("owner", actor.user)
    kwargs.setdefault("subject", "Send the quote")
    return ActivityFactory(account=actor.account, **kwargs)


def url(activity, name):
    return f"/activities/{activity.pk}/fields/{name}/"


def save(client, activity, name, value, *, version=None, htmx=True):
    data = {name: value, "version": version_of(activity) if version is None else version}
    return client.post(url(activity, name), data, **(HTMX if htmx else {}))


def updates(actor, activity):
    return list(
        Event.objects.for_account(actor.account)
        .filter(type="activity.updated", record_id=activity.pk)
        .values_list("changes", flat=True)
    )


# -- opening and cancelling ------------------------------------------------------------


@pytest.mark.parametrize("name", FIELDS)
def test_a_value_opens_a_form_for_that_field_alone(owner, name):
    activity = activity_of(owner)
    response = client_for(owner).get(url(activity, name), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<div class="inplace inplace--editing" id="inplace-{name}"')
    assert f'name="{name}"' in html
    assert f'name="version" value="{version_of(activity)}"' in html
    others = set(re.findall(r'name="([a-z_]+)"', html)) - {name, "version", "csrfmiddlewaretoken"}
    assert others == set(), others
    assert "data-inplace-cancel" in html and "Esc cancels" in html
    assert "HX-Request" in response["Vary"]


def test_the_due_date_form_offers_the_shortcuts(owner):
    html = client_for(owner).get(url(activity_of(owner), "due_at"), **HTMX).content.decode()
    assert 'class="due-shortcuts"' in html and "data-due-day=" in html


def test_cancel_shows_the_value_again_and_gives_it_the_focus(owner):
    activity = activity_of(owner)
    response = client_for(owner).get(url(activity, "subject") + "?show=1", **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div class="inplace" id="inplace-subject">')
    assert "data-inplace-focus" in html and "Send the quote" in html


def test_without_javascript_the_field_opens_as_a_page(owner):
    activity = activity_of(owner)
    html = client_for(owner).get(url(activity, "subject")).content.decode()
    assert "<!doctype html>" in html and "<h1>Edit subject</h1>" in html
    assert f'action="{url(activity, "subject")}"' in html
    cancel = client_for(owner).get(url(activity, "subject") + "?show=1")
    assert cancel.status_code == 302 and cancel["Location"] == f"/activities/{activity.pk}/"


# -- saving ----------------------------------------------------------------------------


def test_a_saved_subject_comes_back_with_the_heading_and_is_recorded(owner):
    activity = activity_of(owner)
    response = save(client_for(owner), activity, "subject", "  Call Ada back  ")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="inplace" id="inplace-subject">')
    assert "Call Ada back" in html and "data-inplace-focus" in html
    assert '<div id="activity-summary" hx-swap-oob="true">' in html  # the page's heading
    assert json.loads(response["HX-Trigger"]) == {"toast": "Subject saved."}
    activity.refresh_from_db()
    assert activity.subject == "Call Ada back"
    assert updates(owner, activity) == [{"subject": ["Send the quote", "Call Ada back"]}]


def test_a_due_date_is_read_and_shown_in_the_accounts_zone(owner, new_york):
    activity = activity_of(owner, remind_before_minutes=15)
    html = save(client_for(owner), activity, "due_at", "2030-01-02T09:30").content.decode()
    activity.refresh_from_db()
    assert activity.due_at == dt.datetime(2030, 1, 2, 14, 30, tzinfo=dt.UTC)
    assert "Wed 2 Jan 2030, 09:30" in html
    assert activity.remind_at == activity.due_at - dt.timedelta(minutes=15)  # re-armed


def test_a_reminder_is_set_shown_and_arms_the_reminder(owner):
    due = dt.datetime(2030, 1, 2, 9, 0, tzinfo=dt.UTC)
    activity = activity_of(owner, due_at=due, remind_before_minutes=None)
    html = save(client_for(owner), activity, "remind_before_minutes", "90").content.decode()
    assert "1 hour 30 minutes before" in html
    activity.refresh_from_db()
    assert (activity.remind_before_minutes, activity.remind_at) == (
        90,
        due - dt.timedelta(minutes=90),
    )


def test_an_emptied_reminder_means_none(owner):
    activity = activity_of(owner, remind_before_minutes=30)
    html = save(client_for(owner), activity, "remind_before_minutes", "").content.decode()
    assert "not set" in html
    activity.refresh_from_db()
    assert activity.remind_before_minutes is None and activity.remind_at is None


@pytest.mark.parametrize(
    ("name", "factory", "shown"),
    [
        ("contact", lambda a: ContactFactory(account=a, first_name="Ada", email=""), "Ada"),
        ("company", lambda a: CompanyFactory(account=a, name="Acme"), "Acme"),
        ("deal", lambda a: DealFactory(account=a, title="Big deal"), "Big deal"),
    ],
)
def test_a_link_is_set_and_cleared(owner, name, factory, shown):
    record = factory(owner.account)
    activity = activity_of(owner)
    client = client_for(owner)
    assert shown in save(client, activity, name, record.pk).content.decode()
    activity.refresh_from_db()
    assert getattr(activity, f"{name}_id") == record.pk
    save(client, activity, name, "")
    activity.refresh_from_db()
    assert getattr(activity, f"{name}_id") is None


def test_the_owner_and_the_type_and_the_description(owner, teammate):
    activity = activity_of(owner)
    client = client_for(owner)
    teammate.user.first_name, teammate.user.last_name = "Tom", "Hart"
    teammate.user.save()
    assert "Tom Hart" in save(client, activity, "owner", teammate.user.pk).content.decode()
    activity.refresh_from_db()
    typed = save(client, activity, "type", "meeting").content.decode()
    assert 'Edit type: </span><span class="inplace__text">Meeting<' in typed
    assert "</a> / Meeting</div>" in typed  # the heading's breadcrumb, out of band
    activity.refresh_from_db()
    save(client, activity, "description", "Line one\nLine two")
    activity.refresh_from_db()
    assert (activity.owner_id, activity.type, activity.description) == (
        teammate.user.pk,
        "meeting",
        "Line one\nLine two",
    )


def test_an_unchanged_value_records_nothing(owner):
    activity = activity_of(owner)
    assert save(client_for(owner), activity, "subject", "Send the quote").status_code == 200
    assert updates(owner, activity) == []


def test_without_javascript_a_save_returns_to_the_page(owner):
    activity = activity_of(owner)
    client = client_for(owner)
    response = save(client, activity, "subject", "Renamed", htmx=False)
    assert response.status_code == 302 and response["Location"] == f"/activities/{activity.pk}/"
    page = client.get(response["Location"])
    assert "Subject saved." in page.content.decode()


def test_a_save_writes_that_field_only(owner):
    activity = activity_of(owner, description="Keep me", type="call")
    save(client_for(owner), activity, "subject", "Renamed")
    activity.refresh_from_db()
    assert (activity.subject, activity.description, activity.type) == ("Renamed", "Keep me", "call")


# -- conflicts --------------------------------------------------------------------------


def test_a_stale_edit_is_a_409_with_the_conflict_and_saves_nothing(owner, teammate):
    activity = activity_of(owner)
    stale = version_of(activity)
    client_for(teammate).post(  # someone else changes it meanwhile
        url(activity, "description"),
        {"description": "Theirs", "version": stale},
        **HTMX,
    )
    response = save(client_for(owner), activity, "subject", "Mine", version=stale)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone changed this activity while you were editing it" in html
    assert "Nothing was saved" in html
    activity.refresh_from_db()
    assert (activity.subject, activity.description) == ("Send the quote", "Theirs")
    # The answer's form now carries the current version: "save mine anyway" lands.
    current = re.search(r'name="version" value="(\d+)"', html).group(1)
    assert current == version_of(activity)
    again = save(client_for(owner), activity, "subject", "Mine", version=current)
    assert again.status_code == 200
    activity.refresh_from_db()
    assert (activity.subject, activity.description) == ("Mine", "Theirs")


def test_a_deleted_activity_is_a_404(owner):
    activity = activity_of(owner)
    activity_delete(activity=activity, by=owner.user, source=Source.UI)
    assert save(client_for(owner), activity, "subject", "Too late").status_code == 404


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("subject", "   "),
        ("subject", "x" * 201),
        ("type", "lunch"),
        ("due_at", "tomorrow"),
        ("due_at", "9999-12-31T23:59"),
        ("remind_before_minutes", "40321"),
        ("remind_before_minutes", "-1"),
        ("remind_before_minutes", "soon"),
        ("owner", "999999"),
        ("contact", "abc"),
        ("description", "x" * 10_001),
    ],
)
def test_bad_input_is_a_400_with_the_error_in_place_and_saves_nothing(owner, name, value):
    activity = activity_of(owner)
    before = version_of(activity)
    response = save(client_for(owner), activity, name, value)
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="field__error"' in html and f'id="inplace-{name}"' in html
    activity.refresh_from_db()
    assert version_of(activity) == before and updates(owner, activity) == []


def test_a_damaged_version_is_a_400(owner):
    activity = activity_of(owner)
    response = save(client_for(owner), activity, "subject", "New", version="abc")
    assert response.status_code == 400
    assert "This form is damaged" in response.content.decode()


@pytest.mark.parametrize("name", ["contact", "company", "deal", "owner"])
def test_another_accounts_record_or_user_is_not_a_choice(owner, outsider, name):
    theirs = {
        "contact": lambda: ContactFactory(account=outsider.account).pk,
        "company": lambda: CompanyFactory(account=outsider.account).pk,
        "deal": lambda: DealFactory(account=outsider.account).pk,
        "owner": lambda: outsider.user.pk,
    }[name]()
    activity = activity_of(owner)
    response = save(client_for(owner), activity, name, theirs)
    assert response.status_code == 400
    assert "not one of the available choices" in response.content.decode()


@pytest.mark.parametrize("name", ["status", "completed_at", "account", "remind_at", "nope"])
def test_a_field_not_edited_in_place_is_a_404(owner, name):
    activity = activity_of(owner)
    client = client_for(owner)
    assert client.get(url(activity, name), **HTMX).status_code == 404
    assert save(client, activity, name, "completed").status_code == 404
    activity.refresh_from_db()
    assert activity.status == "pending"


def test_another_accounts_activity_is_a_404_whatever_the_method(owner, outsider):
    theirs = activity_of(outsider)
    client = client_for(owner)
    assert client.get(url(theirs, "subject"), **HTMX).status_code == 404
    assert save(client, theirs, "subject", "Mine").status_code == 404
    assert client.put(url(theirs, "subject")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.subject == "Send the quote"


def test_signed_out_it_asks_to_sign_in(owner, client):
    activity = activity_of(owner)
    response = client.post(url(activity, "subject"), {"subject": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]


# -- cost -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["contact", "subject"])
def test_a_field_form_and_a_save_cost_the_same_queries_whatever_the_account_holds(owner, name):
    client = client_for(owner)
    activity = activity_of(owner, contact=ContactFactory(account=owner.account))

    def cost(value):
        activity.refresh_from_db()
        with capture_queries() as opened:
            client.get(url(activity, name), **HTMX)
        with capture_queries() as saved:
            response = save(client, activity, name, value)
        assert response.status_code == 200
        return opened, saved

    other = ContactFactory(account=owner.account)
    small = cost(other.pk if name == "contact" else "First")
    ContactFactory.create_batch(15, account=owner.account)
    ActivityFactory.create_batch(15, account=owner.account, owner=owner.user)
    large = cost(activity.contact_id if name == "contact" else "Second")
    assert_same_count(small[0], large[0])
    assert_same_count(small[1], large[1])


def test_the_page_costs_the_same_queries_with_every_field_linked(owner):
    client = client_for(owner)
    few = activity_of(owner)
    linked = activity_of(
        owner,
        contact=ContactFactory(account=owner.account),
        company=CompanyFactory(account=owner.account),
        deal=DealFactory(account=owner.account),
    )
    with capture_queries() as small:
        client.get(f"/activities/{few.pk}/")
    ActivityFactory.create_batch(10, account=owner.account)
    with capture_queries() as large:
        client.get(f"/activities/{linked.pk}/")
    assert_same_count(small, large)


def test_an_activity_row_is_untouched_by_a_refused_save(owner):
    activity = activity_of(owner)
    save(client_for(owner), activity, "subject", "")
    assert Activity.objects.for_account(owner.account).get(pk=activity.pk).subject == (
        "Send the quote"
    )


@pytest.mark.parametrize("name", FIELDS)
def test_no_hostile_value_of_any_field_is_a_5xx(owner, name):
    from tests.test_web_fuzz import HOSTILE

    client = client_for(owner)
    client.raise_request_exception = False
    activity = activity_of(owner)
    failures = []
    for value in HOSTILE:
        activity.refresh_from_db()
        response = save(client, activity, name, value)
        if response.status_code not in (200, 400):
            failures.append((value[:20], response.status_code))
    assert failures == [], failures
