"""The shared record timeline of the staff UI (web/record_timeline.py and
templates/web/_timeline.html): entries, "Load more", the inline forms, "Complete"."""

import datetime
import json

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from activities.models import Activity
from activities.services import activity_cancel
from events.models import Source
from notes.models import Note
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    NoteFactory,
    PipelineFactory,
)
from tests.queries import assert_same_count, capture_queries
from web.formatting import format_money
from web.record_timeline import PAGE_SIZE, timeline_context

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def web(owner):
    client = Client()
    client.force_login(owner.user)
    return client


@pytest.fixture
def outsider_web(outsider):
    client = Client()
    client.force_login(outsider.user)
    return client


@pytest.fixture
def contact(owner):
    return ContactFactory(account=owner.account, first_name="Ada", last_name="Lovelace")


def log(web, record_type, pk, kind, **fields):
    data = {"kind": kind, **{f"log-{kind}-{name}": value for name, value in fields.items()}}
    return web.post(f"/timeline/{record_type}/{pk}/log/", data, **HTMX)


def queries_for(web, url):
    with capture_queries() as queries:
        response = web.get(url, **HTMX)
    assert response.status_code == 200
    return queries


# -- what it shows ------------------------------------------------------------------------


def test_the_timeline_merges_notes_activities_and_deals_newest_first(web, owner, contact):
    now = datetime.datetime.now(datetime.UTC)
    NoteFactory(
        account=owner.account,
        contact=contact,
        body="<p>Oldest note</p>",
        occurred_at=now - datetime.timedelta(days=3),
    )
    ActivityFactory(
        account=owner.account,
        contact=contact,
        subject="Middle task",
        due_at=now - datetime.timedelta(days=2),
    )
    NoteFactory(
        account=owner.account,
        contact=contact,
        body="<p>Newest note</p>",
        occurred_at=now - datetime.timedelta(days=1),
    )
    html = web.get(f"/contacts/{contact.pk}/").content.decode()
    assert html.index("Newest note") < html.index("Middle task") < html.index("Oldest note")
    assert "Overdue" in html  # a pending task due in the past


def test_a_deal_entry_shows_status_value_and_stage(web, owner, contact):
    DealFactory(
        pipeline=PipelineFactory(account=owner.account),
        contact=contact,
        title="Expansion",
        value_cents=1_250_050,
        currency="EUR",
    )
    html = web.get(f"/contacts/{contact.pk}/").content.decode()
    timeline = html.split('class="timeline"')[1]
    assert "Expansion" in timeline and "12,500.50 EUR" in timeline and "Lead" in timeline


def test_times_show_in_the_accounts_time_zone(web, owner, contact):
    owner.account.time_zone = "Asia/Tokyo"
    owner.account.save()
    NoteFactory(
        account=owner.account,
        contact=contact,
        occurred_at=datetime.datetime(2026, 3, 1, 23, 30, tzinfo=datetime.UTC),
    )
    html = web.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Mar 2, 2026, 08:30" in html


def test_an_empty_timeline_invites_a_first_entry(web, contact):
    assert "Nothing here yet" in web.get(f"/contacts/{contact.pk}/").content.decode()


def test_timeline_context_works_for_companies_and_deals(owner):
    company = CompanyFactory(account=owner.account)
    deal = DealFactory(pipeline=PipelineFactory(account=owner.account), company=company)
    NoteFactory(account=owner.account, company=company, body="<p>Company note</p>")
    NoteFactory(account=owner.account, deal=deal, body="<p>Deal note</p>")
    request = RequestFactory().get("/")
    request.user, request.account = owner.user, owner.account
    for record, expected, unexpected in (
        (company, "Company note", "Deal note"),
        (deal, "Deal note", "Company note"),
    ):
        timeline = timeline_context(request, record)
        html = render_to_string("web/_timeline.html", {"timeline": timeline}, request=request)
        assert expected in html and unexpected not in html
        assert f'id="timeline-{timeline.record_type}-{record.pk}"' in html
    # A company's timeline lists its deals; a deal's timeline does not list itself.
    assert [e.type for e in timeline_context(request, company).entries].count("deal") == 1
    assert "deal" not in [e.type for e in timeline_context(request, deal).entries]


def test_money_is_formatted_with_its_currency_and_thousands():
    assert format_money(123_456_789, "USD") == "1,234,567.89 USD"
    assert format_money(100_000, "EUR") == "1,000 EUR"
    assert format_money(0, "JPY") == "0 JPY"


# -- load more ---------------------------------------------------------------------------


def test_load_more_pages_through_the_history(web, owner, contact):
    for i in range(PAGE_SIZE + 5):
        NoteFactory(account=owner.account, contact=contact, body=f"<p>Entry {i:03d}</p>")
    first = web.get(f"/contacts/{contact.pk}/").content.decode()
    assert first.count('class="timeline__item"') == PAGE_SIZE
    assert f"/timeline/contact/{contact.pk}/?page=2" in first
    second = web.get(f"/timeline/contact/{contact.pk}/?page=2", **HTMX)
    html = second.content.decode()
    assert html.count('class="timeline__item"') == 5
    assert "?page=3" not in html and "<html" not in html
    assert "HX-Request" in second["Vary"]
    # Nonsense page numbers are page 1, never an error.
    for page in ("x", "-1", "99999999999"):
        assert web.get(f"/timeline/contact/{contact.pk}/?page={page}", **HTMX).status_code == 200


def test_a_timeline_page_costs_the_same_queries_whatever_the_history(web, owner, contact):
    pipeline = PipelineFactory(account=owner.account)

    def add(n):
        for _ in range(n):
            NoteFactory(account=owner.account, contact=contact, author=owner.user)
            ActivityFactory(account=owner.account, contact=contact, owner=owner.user)
            DealFactory(pipeline=pipeline, contact=contact, owner=owner.user)

    add(2)
    small_first = queries_for(web, f"/timeline/contact/{contact.pk}/?page=1")
    add(40)
    assert_same_count(small_first, queries_for(web, f"/timeline/contact/{contact.pk}/?page=1"))
    assert_same_count(small_first, queries_for(web, f"/timeline/contact/{contact.pk}/?page=3"))


# -- the inline forms -----------------------------------------------------------------------


def test_add_a_note_refreshes_the_timeline(web, owner, contact):
    response = log(web, "contact", contact.pk, "note", body="Met at the fair.\n\nLikes <b>tea</b>.")
    assert response.status_code == 200
    note = Note.objects.for_account(owner.account).get()
    assert note.kind == "note" and note.contact == contact and note.author == owner.user
    assert note.body == "<p>Met at the fair.</p>\n\n<p>Likes &lt;b&gt;tea&lt;/b&gt;.</p>"
    html = response.content.decode()
    assert f'id="timeline-contact-{contact.pk}"' in html and "Met at the fair." in html
    assert json.loads(response["HX-Trigger"]) == {"toast": "Note added"}


def test_log_a_call_keeps_its_direction(web, owner, contact):
    log(web, "contact", contact.pk, "call", body="Called about renewal", direction="inbound")
    note = Note.objects.for_account(owner.account).get()
    assert (note.kind, note.direction) == ("call", "inbound")


def test_add_a_task_reads_the_due_date_in_the_accounts_zone(web, owner, teammate, contact):
    owner.account.time_zone = "America/New_York"
    owner.account.save()
    response = log(
        web,
        "contact",
        contact.pk,
        "task",
        subject="Send proposal",
        due_at="2026-12-01T09:30",
        owner=teammate.user.pk,
    )
    assert response.status_code == 200
    task = Activity.objects.for_account(owner.account).get()
    assert task.type == "task" and task.status == "pending" and task.contact == contact
    assert task.due_at == datetime.datetime(2026, 12, 1, 14, 30, tzinfo=datetime.UTC)
    assert task.owner == teammate.user
    assert "Dec 1, 2026, 09:30" in response.content.decode()


def test_bad_input_is_explained_in_the_form_and_saves_nothing(web, owner, outsider, contact):
    cases = [
        ("note", {"body": "   "}, "Write something first."),
        ("call", {"body": "Hi", "direction": "sideways"}, "Select a valid choice."),
        ("task", {"subject": ""}, "This field is required."),
        ("task", {"subject": "x", "due_at": "not a date"}, "Enter a valid date/time."),
        ("task", {"subject": "x", "due_at": "9999-12-31T23:59"}, "years 2 and 9998"),
        ("task", {"subject": "x", "owner": outsider.user.pk}, "Select a valid choice."),
        ("note", {"body": "x" * 9001}, "at most 9000 characters"),
    ]
    owner.account.time_zone = "Asia/Tokyo"  # 9999-12-31 23:59 there is still year 9999
    owner.account.time_zone = "America/New_York"  # ... and here it overflows past 9999
    owner.account.save()
    for kind, fields, message in cases:
        response = log(web, "contact", contact.pk, kind, **fields)
        html = response.content.decode()
        assert response.status_code == 200, (kind, fields)
        assert message in html, (kind, fields, message)
        assert f'name="kind" value="{kind}"' in html  # the same form stays open
        assert "HX-Trigger" not in response
    assert not Note.objects.for_account(owner.account).exists()
    assert not Activity.objects.for_account(owner.account).exists()


def test_posting_to_the_timeline_costs_the_same_queries_whatever_the_history(web, owner, contact):
    def add_and_count(n):
        for _ in range(n):
            NoteFactory(account=owner.account, contact=contact, author=owner.user)
            ActivityFactory(account=owner.account, contact=contact, owner=owner.user)
        counts = []
        for kind, fields in (("note", {"body": "x"}), ("task", {"subject": "y"})):
            with capture_queries() as queries:
                assert log(web, "contact", contact.pk, kind, **fields).status_code == 200
            counts.append(queries)
        task = ActivityFactory(account=owner.account, contact=contact, owner=owner.user)
        with capture_queries() as queries:
            web.post(f"/timeline/activities/{task.pk}/complete/", **HTMX)
        counts.append(queries)
        return counts

    for small, large in zip(add_and_count(1), add_and_count(30), strict=True):
        assert_same_count(small, large)


def test_an_unknown_kind_is_a_note_form_error_not_a_500(web, contact):
    response = web.post(f"/timeline/contact/{contact.pk}/log/", {"kind": "telegram"}, **HTMX)
    assert response.status_code == 200


def test_the_tabs_fetch_the_chosen_form(web, contact):
    html = web.get(f"/timeline/contact/{contact.pk}/log/?kind=task", **HTMX).content.decode()
    assert 'name="log-task-subject"' in html and 'aria-selected="true"' in html
    page = web.get(f"/contacts/{contact.pk}/?log=note").content.decode()
    assert 'name="log-note-body"' in page


def test_without_javascript_a_post_goes_back_to_the_page(web, owner, contact):
    response = web.post(
        f"/timeline/contact/{contact.pk}/log/",
        {"kind": "note", "log-note-body": "Plain"},
        HTTP_REFERER=f"http://testserver/contacts/{contact.pk}/",
    )
    assert response.status_code == 302 and response["Location"].endswith(f"/{contact.pk}/")
    assert Note.objects.for_account(owner.account).count() == 1
    response = web.post(
        f"/timeline/contact/{contact.pk}/log/",
        {"kind": "note", "log-note-body": "Plain"},
        HTTP_REFERER="https://evil.example/",
    )
    assert response["Location"] == "/"


def test_notes_and_tasks_go_on_companies_and_deals_too(web, owner):
    company = CompanyFactory(account=owner.account)
    deal = DealFactory(pipeline=PipelineFactory(account=owner.account))
    assert log(web, "company", company.pk, "note", body="On the company").status_code == 200
    assert log(web, "deal", deal.pk, "task", subject="On the deal").status_code == 200
    assert Note.objects.for_account(owner.account).get().company == company
    assert Activity.objects.for_account(owner.account).get().deal == deal


def test_an_unknown_record_type_is_a_404(web, contact):
    assert log(web, "planet", contact.pk, "note", body="x").status_code == 404
    assert web.get(f"/timeline/planet/{contact.pk}/", **HTMX).status_code == 404


# -- complete ------------------------------------------------------------------------------


def test_complete_a_task_from_the_timeline(web, owner, contact):
    task = ActivityFactory(account=owner.account, contact=contact, subject="Call back")
    html = web.get(f"/contacts/{contact.pk}/").content.decode()
    assert f"/timeline/activities/{task.pk}/complete/" in html
    response = web.post(f"/timeline/activities/{task.pk}/complete/", **HTMX)
    task.refresh_from_db()
    assert task.status == "completed" and task.completed_at is not None
    html = response.content.decode()
    assert f'id="entry-activity-{task.pk}"' in html and "Completed" in html
    assert "/complete/" not in html  # nothing left to complete
    assert json.loads(response["HX-Trigger"]) == {"toast": "Task completed"}


def test_completing_twice_explains_instead_of_failing(web, owner, contact):
    task = ActivityFactory(account=owner.account, contact=contact)
    activity_cancel(activity=task, by=None, source=Source.SYSTEM)
    response = web.post(f"/timeline/activities/{task.pk}/complete/", **HTMX)
    assert response.status_code == 200
    assert "already cancelled" in json.loads(response["HX-Trigger"])["toast"]
    task.refresh_from_db()
    assert task.status == "cancelled"


def test_complete_without_javascript_goes_back(web, owner, contact):
    task = ActivityFactory(account=owner.account, contact=contact)
    response = web.post(
        f"/timeline/activities/{task.pk}/complete/",
        HTTP_REFERER=f"http://testserver/contacts/{contact.pk}/",
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.status == "completed"


def test_complete_needs_post(web, owner):
    task = ActivityFactory(account=owner.account)
    assert web.get(f"/timeline/activities/{task.pk}/complete/").status_code == 405


# -- another account's records ---------------------------------------------------------------


@pytest.mark.parametrize("record_type", ["contact", "company", "deal"])
def test_the_outsider_gets_404_on_every_timeline_url(outsider_web, owner, record_type):
    record = {
        "contact": lambda: ContactFactory(account=owner.account),
        "company": lambda: CompanyFactory(account=owner.account),
        "deal": lambda: DealFactory(pipeline=PipelineFactory(account=owner.account)),
    }[record_type]()
    base = f"/timeline/{record_type}/{record.pk}/"
    assert outsider_web.get(base, **HTMX).status_code == 404
    assert outsider_web.get(base + "log/?kind=task", **HTMX).status_code == 404
    for kind, fields in (("note", {"body": "x"}), ("task", {"subject": "x"})):
        assert log(outsider_web, record_type, record.pk, kind, **fields).status_code == 404
    assert not Note.objects.for_account(owner.account).exists()
    assert not Activity.objects.for_account(owner.account).exists()


def test_the_outsider_cannot_complete_the_owners_task(outsider_web, owner):
    task = ActivityFactory(account=owner.account)
    response = outsider_web.post(f"/timeline/activities/{task.pk}/complete/", **HTMX)
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.status == "pending"


def test_the_timeline_forms_carry_csrf_tokens(owner, contact):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner.user)
    html = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert html.count('name="csrfmiddlewaretoken"') >= 2  # the log form, delete, tags...
    response = client.post(
        f"/timeline/contact/{contact.pk}/log/", {"kind": "note", "log-note-body": "x"}, **HTMX
    )
    assert response.status_code == 403
