"""The History tab of the contact, company and deal pages: who changed what, when and
from where, readable; newest first, a page at a time; tenancy; constant queries; a
deal's time in each stage."""

import datetime as dt

import pytest

from deals.services import deal_win
from events.models import Event, Source
from events.services import EventDraft, events_append
from tests.factories import CompanyFactory, ContactFactory, DealFactory, UserFactory
from tests.queries import assert_same_count, capture_queries
from tests.web_client import client_for
from web.record_history import PAGE_SIZE

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def web(owner):
    return client_for(owner)


def append(
    actor,
    record_type,
    record_id,
    action,
    changes=None,
    data=None,
    *,
    source=Source.UI,
    by="actor",
    at=None,
):
    event = events_append(
        account=actor.account,
        by=actor.user if by == "actor" else by,
        source=source,
        drafts=[
            EventDraft(
                record_type=record_type,
                record_id=record_id,
                action=action,
                changes=changes or {},
                data=data or {},
            )
        ],
    )[0]
    if at is not None:
        Event.objects.for_account(actor.account).filter(pk=event.pk).update(at=at)
    return event


def html_of(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_contacts_history_shows_who_changed_what_when_and_from_where(web, owner):
    owner.user.first_name, owner.user.last_name = "Olivia", "Owens"
    owner.user.save()
    owner.account.time_zone = "Europe/Paris"
    owner.account.save()
    contact = ContactFactory(account=owner.account)
    append(
        owner,
        "contact",
        contact.pk,
        "updated",
        {"email": ["old@example.com", "new@example.com"], "tags": [["a"], ["a", "vip"]]},
        source=Source.API,
        at=dt.datetime(2026, 7, 1, 10, 30, tzinfo=dt.UTC),
    )
    append(
        owner,
        "contact",
        contact.pk,
        "updated",
        {"title": ["", "Buyer"]},
        source=Source.IMPORT,
        by=None,
    )
    html = html_of(web.get(f"/contacts/{contact.pk}/history/"))
    assert "Olivia Owens" in html and "System" in html
    assert "API" in html and "Import" in html
    assert "Jul 1, 2026, 12:30" in html  # 10:30 UTC is 12:30 in Paris in summer
    assert "old@example.com" in html and "new@example.com" in html
    assert "Job title" in html and "Buyer" in html
    assert '<span class="tag">vip</span>' in html
    assert html.index("Buyer") < html.index("new@example.com")  # newest first


def test_owners_stages_money_and_dates_read_as_words(web, owner, teammate, pipeline):
    teammate.user.first_name, teammate.user.last_name = "Tom", "Teal"
    teammate.user.save()
    lead, qualified = pipeline.stages.order_by("position")[:2]
    deal = DealFactory(account=owner.account, pipeline=pipeline, currency="EUR")
    append(
        owner,
        "deal",
        deal.pk,
        "updated",
        {
            "owner": [None, teammate.user.pk],
            "value_cents": [100000, 1234550],
            "expected_close_date": [None, "2026-12-24"],
            "status": ["open", "won"],
        },
        data={"currency": "EUR"},
    )
    append(
        owner,
        "deal",
        deal.pk,
        "moved",
        {"stage": [lead.pk, qualified.pk], "probability": [None, 40]},
    )
    html = html_of(web.get(f"/deals/{deal.pk}/history/"))
    assert "Tom Teal" in html
    assert "1,000 EUR" in html and "12,345.50 EUR" in html
    assert "Dec 24, 2026" in html and "Won" in html
    assert "Lead" in html and "Qualified" in html and "40%" in html
    assert f">{teammate.user.pk}<" not in html


def test_the_tab_over_htmx_is_the_panel_alone_and_varies_on_htmx(web, owner):
    company = CompanyFactory(account=owner.account)
    append(owner, "company", company.pk, "updated", {"name": ["Old", "New"]})
    response = web.get(f"/companies/{company.pk}/history/", **HTMX)
    html = html_of(response)
    assert html.lstrip().startswith('<div id="record-tabs"')
    assert "<html" not in html and "New" in html
    assert "HX-Request" in response["Vary"]
    assert "<html" in html_of(web.get(f"/companies/{company.pk}/history/"))


@pytest.mark.parametrize("path", ["/contacts/{pk}/", "/companies/{pk}/", "/deals/{pk}/"])
def test_every_record_page_has_a_history_tab(web, owner, path):
    record = {
        "/contacts/{pk}/": ContactFactory,
        "/companies/{pk}/": CompanyFactory,
        "/deals/{pk}/": DealFactory,
    }[path](account=owner.account)
    url = path.format(pk=record.pk)
    html = html_of(web.get(url))
    assert f'href="{url}history/"' in html and 'id="record-tabs"' in html


def test_older_events_come_a_page_at_a_time(web, owner):
    contact = ContactFactory(account=owner.account)
    for n in range(PAGE_SIZE + 3):
        append(owner, "contact", contact.pk, "updated", {"title": [f"T{n}", f"T{n + 1}"]})
    first = html_of(web.get(f"/contacts/{contact.pk}/history/"))
    assert first.count('class="history__item"') == PAGE_SIZE
    assert "Show older changes" in first and f"T{PAGE_SIZE + 3}" in first
    events = list(Event.objects.for_account(owner.account).of_record("contact", contact.pk))
    older = html_of(
        web.get(f"/contacts/{contact.pk}/history/?before={events[PAGE_SIZE - 1].pk}", **HTMX)
    )
    assert older.count('class="history__item"') == 3 and "Show older changes" not in older
    assert "<html" not in older and '<li class="history__item" id="event-' in older


def test_another_accounts_record_is_a_404(web, outsider):
    for factory, path in [
        (ContactFactory, "contacts"),
        (CompanyFactory, "companies"),
        (DealFactory, "deals"),
    ]:
        theirs = factory(account=outsider.account)
        assert web.get(f"/{path}/{theirs.pk}/history/").status_code == 404


def test_another_accounts_events_are_never_shown(web, owner, outsider):
    contact = ContactFactory(account=owner.account)
    append(owner, "contact", contact.pk, "updated", {"title": ["", "Mine"]})
    # Same record type and id, another account: an event that must stay theirs.
    append(outsider, "contact", contact.pk, "updated", {"title": ["", "Theirs"]})
    html = html_of(web.get(f"/contacts/{contact.pk}/history/"))
    assert "Mine" in html and "Theirs" not in html


def test_a_record_without_events_says_so(web, owner):
    contact = ContactFactory(account=owner.account)
    assert "No changes recorded yet." in html_of(web.get(f"/contacts/{contact.pk}/history/"))


def test_a_deleted_owner_is_named_as_deleted_not_as_an_error(web, owner):
    contact = ContactFactory(account=owner.account)
    gone = UserFactory()
    gone_id = gone.pk
    gone.delete()
    append(owner, "contact", contact.pk, "updated", {"owner": [None, gone_id]})
    assert f"#{gone_id} (deleted)" in html_of(web.get(f"/contacts/{contact.pk}/history/"))


def count_queries(client, url):
    with capture_queries() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return queries


def fill_history(actor, deal, n, stages, teammate):
    for i in range(n):
        append(
            actor,
            "deal",
            deal.pk,
            "updated",
            {
                "owner": [actor.user.pk, teammate.user.pk],
                "value_cents": [i, i + 1],
                "company": [None, deal.company_id],
                "contact": [None, deal.contact_id],
                "pipeline": [deal.pipeline_id, deal.pipeline_id + 0],
            },
        )
        append(actor, "deal", deal.pk, "moved", {"stage": [stages[0].pk, stages[1].pk]})


def test_the_history_costs_the_same_queries_with_more_events(web, owner, teammate, pipeline):
    stages = list(pipeline.stages.order_by("position"))
    deal = DealFactory(
        account=owner.account,
        pipeline=pipeline,
        company=CompanyFactory(account=owner.account),
        contact=ContactFactory(account=owner.account),
    )
    fill_history(owner, deal, 2, stages, teammate)
    small = count_queries(web, f"/deals/{deal.pk}/history/")
    fill_history(owner, deal, 20, stages, teammate)
    assert_same_count(small, count_queries(web, f"/deals/{deal.pk}/history/"))


def test_a_deal_shows_each_stage_with_the_time_spent_in_it(web, owner, pipeline):
    lead, qualified, proposal = list(pipeline.stages.order_by("position"))[:3]
    deal = DealFactory(account=owner.account, pipeline=pipeline, stage=proposal)
    start = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    append(owner, "deal", deal.pk, "created", data={"stage": lead.pk}, at=start)
    append(
        owner,
        "deal",
        deal.pk,
        "moved",
        {"stage": [lead.pk, qualified.pk]},
        at=start + dt.timedelta(days=3, hours=4),
    )
    append(
        owner,
        "deal",
        deal.pk,
        "moved",
        {"stage": [qualified.pk, proposal.pk]},
        at=start + dt.timedelta(days=5, hours=4, minutes=30),
    )
    response = web.get(f"/deals/{deal.pk}/history/")
    html = html_of(response)
    visits = response.context["visits"]
    assert [v.stage_name for v in visits] == ["Lead", "Qualified", "Proposal"]
    assert [v.duration_text for v in visits[:2]] == ["3 days 4 hours", "2 days 30 minutes"]
    assert visits[-1].left_at is None and "still there" in html
    assert "In <strong>Proposal</strong> since" in html and "Mar 6, 2026, 13:30" in html


def test_a_deal_older_than_its_events_starts_in_the_stage_its_first_move_left(web, owner, pipeline):
    lead, qualified = list(pipeline.stages.order_by("position"))[:2]
    deal = DealFactory(account=owner.account, pipeline=pipeline, stage=qualified)
    append(owner, "deal", deal.pk, "moved", {"stage": [lead.pk, qualified.pk]})
    visits = web.get(f"/deals/{deal.pk}/history/").context["visits"]
    assert [(v.stage_id, v.entered_at) for v in visits][0] == (lead.pk, deal.created_at)
    assert visits[1].stage_id == qualified.pk


def test_a_won_deals_last_stage_ends_when_it_closed(web, owner, pipeline):
    deal = DealFactory(account=owner.account, pipeline=pipeline)
    append(owner, "deal", deal.pk, "created", data={"stage": deal.stage_id}, at=deal.created_at)
    deal = deal_win(deal=deal, by=owner.user, source=Source.API)
    visits = web.get(f"/deals/{deal.pk}/history/").context["visits"]
    assert visits[-1].left_at == deal.closed_at
