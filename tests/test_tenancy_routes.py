"""Account isolation, proven over every API route the URL resolver knows.

Routes are enumerated from the resolver, not listed by hand. Each CRM route needs a
case below: a new endpoint without one fails `test_every_route_has_a_case`, and once
it has one it is checked automatically:
- detail and action routes: the outsider gets 404 on the owner's records, for
  every HTTP method the route accepts (and for the owner's ids in extra path parts);
- list routes: the outsider never sees the owner's rows;
- writable related fields: the outsider writing the owner's ids gets a 400 on that field,
  on create and on update.
"""

from dataclasses import dataclass, field

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.relations import ManyRelatedField

from accounts.api.fields import AccountScopedRelatedField
from accounts.models import Tag, User
from activities.models import Activity
from companies.models import Company
from contacts.models import Contact
from contacts.tasks import duplicate_scan_start
from customfields.models import CustomFieldDefinition
from deals.models import Deal, Pipeline, Stage
from events.models import Source
from events.services import event_append
from notes.models import Note
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    CompanyTagFactory,
    ContactFactory,
    ContactTagFactory,
    CustomFieldDefinitionFactory,
    DealFactory,
    NoteFactory,
    PipelineFactory,
    StageFactory,
    TagFactory,
)

CRM_PREFIX = "api/v1/crm/"
# Account-scoped routes outside /crm/, walked the same way.
SCOPED_PREFIXES = (CRM_PREFIX, "api/v1/notifications/")

# How to make a record of each model in a given account.
FACTORIES = {
    Contact: lambda account: ContactTagFactory(contact__account=account).contact,
    Company: lambda account: CompanyTagFactory(company__account=account).company,
    Tag: lambda account: TagFactory(account=account),
    Pipeline: lambda account: PipelineFactory(account=account),
    Stage: lambda account: StageFactory(pipeline__account=account),
    Deal: lambda account: DealFactory(
        pipeline__account=account,
        contact=ContactFactory(account=account),
        company=CompanyTagFactory(company__account=account).company,
    ),
    Activity: lambda account: ActivityFactory(account=account),
    Note: lambda account: NoteFactory(account=account),
    CustomFieldDefinition: lambda account: CustomFieldDefinitionFactory(account=account),
}

# A body that creates a valid record in an account (related ids added per test).
CREATE_BODIES = {
    Contact: lambda account: {"first_name": "Bea"},
    Company: lambda account: {"name": "Bea Inc"},
    Tag: lambda account: {"name": "fresh"},
    Pipeline: lambda account: {"name": "Fresh", "stages": [{"name": "A", "probability": 5}]},
    Deal: lambda account: {"title": "Fresh", "pipeline": PipelineFactory(account=account).pk},
    Activity: lambda account: {"subject": "Call back"},
    Note: lambda account: {"body": "Spoke to them"},
    CustomFieldDefinition: lambda account: {
        "record_type": "contact",
        "key": "fresh",
        "type": "text",
    },
}


@dataclass
class Case:
    """What a route needs beyond what is derived automatically."""

    kind: str  # "viewset" (derived), "singleton" (checked by `check`), "bulk"
    extra_kwargs: dict = field(default_factory=dict)  # path kwarg -> model
    check: object = None


def _members_only_mine(outsider, owner):
    body = outsider.client.get("/api/v1/crm/members/").json()
    usernames = {m["username"] for m in body["results"]}
    assert usernames == {outsider.user.username}
    assert owner.user.username not in usernames


def _account_is_mine(outsider, owner):
    body = outsider.client.get("/api/v1/crm/account/").json()
    assert body["id"] == outsider.account.pk
    response = outsider.client.patch(
        "/api/v1/crm/account/",
        {"name": "Renamed"},
        format="json",
        HTTP_X_ACCOUNT=str(owner.account.pk),
    )
    assert response.status_code == 403
    owner.account.refresh_from_db()
    assert owner.account.name != "Renamed"


def _bulk_import_refuses_foreign_ids(outsider, owner):
    theirs = FACTORIES[Company](owner.account)
    response = outsider.client.post(
        "/api/v1/crm/contacts/bulk-import/",
        {
            "contacts": [
                {"first_name": "Bea", "owner": owner.user.pk},
                {"first_name": "Cy", "company": theirs.pk},
            ]
        },
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "owner" in errors[0]["errors"] and "company" in errors[1]["errors"]
    assert not Contact.objects.for_account(outsider.account).exists()


def _forecast_is_mine(outsider, owner):
    DealFactory(pipeline__account=owner.account, currency="EUR", value_cents=500)
    DealFactory(pipeline__account=outsider.account, currency="USD", value_cents=700)
    body = outsider.client.get("/api/v1/crm/deals/forecast/").json()
    assert [t["currency"] for t in body["totals"]] == ["USD"]
    assert body["totals"][0]["open_value_cents"] == 700
    assert {s["currency"] for s in body["stages"]} == {"USD"}


def _events_are_mine(outsider, owner):
    theirs = event_append(
        account=owner.account,
        by=owner.user,
        source=Source.API,
        record_type="contact",
        record_id=1,
        action="created",
    )
    mine = event_append(
        account=outsider.account,
        by=outsider.user,
        source=Source.API,
        record_type="contact",
        record_id=1,
        action="created",
    )
    for query in ({}, {"record_type": "contact", "record_id": 1}, {"type": "contact.*"}):
        body = outsider.client.get("/api/v1/crm/events/", query).json()
        assert [event["id"] for event in body["results"]] == [mine.pk], query
    assert theirs.pk < mine.pk


def _trash_is_mine(outsider, owner):
    theirs = FACTORIES[Contact](owner.account)
    mine = FACTORIES[Contact](outsider.account)
    owner.client.delete(f"/api/v1/crm/contacts/{theirs.pk}/")
    outsider.client.delete(f"/api/v1/crm/contacts/{mine.pk}/")
    for query in ({}, {"type": "contact"}):
        body = outsider.client.get("/api/v1/crm/trash/", query).json()
        assert [entry["id"] for entry in body["results"]] == [mine.pk], query


def _restores_only_mine(outsider, owner):
    """Every type: the owner's trashed record is not in the outsider's trash (404),
    and stays in the owner's."""
    from trash.models import TrashedRecord

    for plural, model in (
        ("contacts", Contact),
        ("companies", Company),
        ("deals", Deal),
        ("activities", Activity),
        ("notes", Note),
    ):
        theirs = FACTORIES[model](owner.account)
        assert owner.client.delete(f"/api/v1/crm/{plural}/{theirs.pk}/").status_code == 204
        url = f"/api/v1/crm/trash/{plural}/{theirs.pk}/restore/"
        assert outsider.client.post(url).status_code == 404
        assert outsider.client.get(f"/api/v1/crm/{plural}/{theirs.pk}/history/").status_code == 404
        kept = TrashedRecord.objects.for_account(owner.account).filter(record_id=theirs.pk)
        assert kept.exists()


def _duplicate_pairs_are_mine(record_type, plural, factory):
    def check(outsider, owner):
        theirs = [factory(owner.account) for _ in range(2)]
        mine = [factory(outsider.account) for _ in range(2)]
        for actor in (owner, outsider):
            duplicate_scan_start(account_id=actor.account.pk, record_type=record_type)
        body = outsider.client.get(f"/api/v1/crm/{plural}/duplicates/").json()
        assert [pair["ids"] for pair in body["results"]] == [[r.pk for r in mine]]
        assert theirs[0].pk not in {i for pair in body["results"] for i in pair["ids"]}

    return check


def _same_contact(account):
    return ContactFactory(account=account, first_name="Ada", last_name="King", phone="")


def _same_company(account):
    return CompanyFactory(account=account, name="Acme Inc", domain="")


def _owners_notification(owner):
    from tests.notification_data import notification_for

    return notification_for(owner)


def _notifications_are_mine(outsider, owner):
    _owners_notification(owner)
    from tests.notification_data import notification_for

    mine = notification_for(outsider)
    for query in ({}, {"unread": "true"}):
        body = outsider.client.get("/api/v1/notifications/", query).json()
        assert [n["id"] for n in body["results"]] == [mine.pk], query
    # The owner's, asked for in the owner's account: not a membership of the outsider.
    response = outsider.client.get("/api/v1/notifications/", HTTP_X_ACCOUNT=str(owner.account.pk))
    assert response.status_code == 403


def _reads_only_mine(outsider, owner):
    theirs = _owners_notification(owner)
    url = f"/api/v1/notifications/{theirs.pk}/read/"
    assert outsider.client.post(url).status_code == 404
    # Other methods are refused alike for every id, so they tell nothing either.
    assert outsider.client.get(url).status_code == 405
    theirs.refresh_from_db()
    assert theirs.read_at is None


def _reads_all_of_mine_only(outsider, owner):
    theirs = _owners_notification(owner)
    assert outsider.client.post("/api/v1/notifications/read-all/").json() == {"marked": 0}
    theirs.refresh_from_db()
    assert theirs.read_at is None


CASES = {
    "notification-list": Case("singleton", check=_notifications_are_mine),
    "notification-read": Case("singleton", check=_reads_only_mine),
    "notification-read-all": Case("singleton", check=_reads_all_of_mine_only),
    "trash-list": Case("singleton", check=_trash_is_mine),
    "trash-restore": Case("singleton", check=_restores_only_mine),
    "contact-duplicates": Case("viewset"),
    "company-duplicates": Case("viewset"),
    "contact-duplicate-pairs": Case(
        "singleton", check=_duplicate_pairs_are_mine("contact", "contacts", _same_contact)
    ),
    "company-duplicate-pairs": Case(
        "singleton", check=_duplicate_pairs_are_mine("company", "companies", _same_company)
    ),
    "contact-list": Case("viewset"),
    "contact-detail": Case("viewset"),
    "contact-add-tag": Case("viewset"),
    "contact-merge": Case("viewset"),
    "company-merge": Case("viewset"),
    "contact-remove-tag": Case("viewset", extra_kwargs={"tag_id": Tag}),
    "contact-bulk-import": Case("bulk", check=_bulk_import_refuses_foreign_ids),
    "company-list": Case("viewset"),
    "company-detail": Case("viewset"),
    "company-add-tag": Case("viewset"),
    "company-remove-tag": Case("viewset", extra_kwargs={"tag_id": Tag}),
    "pipeline-list": Case("viewset"),
    "pipeline-detail": Case("viewset"),
    "deal-list": Case("viewset"),
    "deal-detail": Case("viewset"),
    "deal-move": Case("viewset"),
    "deal-win": Case("viewset"),
    "deal-lose": Case("viewset"),
    "deal-abandon": Case("viewset"),
    "deal-reopen": Case("viewset"),
    "deal-forecast": Case("singleton", check=_forecast_is_mine),
    "activity-list": Case("viewset"),
    "activity-detail": Case("viewset"),
    "activity-start": Case("viewset"),
    "activity-complete": Case("viewset"),
    "activity-cancel": Case("viewset"),
    "activity-reopen": Case("viewset"),
    "note-list": Case("viewset"),
    "note-detail": Case("viewset"),
    "contact-timeline": Case("viewset"),
    "company-timeline": Case("viewset"),
    "deal-timeline": Case("viewset"),
    "contact-history": Case("viewset"),
    "company-history": Case("viewset"),
    "deal-history": Case("viewset"),
    "activity-history": Case("viewset"),
    "note-history": Case("viewset"),
    "event-list": Case("singleton", check=_events_are_mine),
    "tag-list": Case("viewset"),
    "tag-detail": Case("viewset"),
    "custom-field-list": Case("viewset"),
    "custom-field-detail": Case("viewset"),
    "api-members": Case("singleton", check=_members_only_mine),
    "api-account": Case("singleton", check=_account_is_mine),
}


def crm_routes():
    """(route name, path regex, callback) for every URL under /api/v1/crm/."""
    found = []

    def walk(patterns, prefix):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if route.replace("^", "").startswith(SCOPED_PREFIXES):
                    found.append((entry.name, route, entry.callback))

    walk(get_resolver().url_patterns, "")
    return found


def route_cases():
    return [pytest.param(name, route, cb, id=name) for name, route, cb in crm_routes()]


def test_routes_are_enumerated_from_the_resolver():
    names = {name for name, _r, _c in crm_routes()}
    assert {"contact-list", "contact-detail", "tag-list"} <= names


def test_every_route_has_a_case():
    missing = sorted({name for name, _r, _c in crm_routes()} - set(CASES))
    assert missing == [], f"routes without a tenancy case: {missing}"


def build_path(route, kwargs):
    import re

    path = route.replace("^", "").replace("$", "")
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), path)
    path = path.replace("\\.", ".")
    return "/" + path


def related_fields(serializer):
    """Writable fields of `serializer` whose ids are scoped to the account."""
    for name, fld in serializer.fields.items():
        if fld.read_only:
            continue
        child = fld.child_relation if isinstance(fld, ManyRelatedField) else fld
        if isinstance(child, AccountScopedRelatedField):
            yield name, child.queryset.model, isinstance(fld, ManyRelatedField)


def foreign_value(model, owner):
    if model is User:
        return owner.user.pk
    return FACTORIES[model](owner.account).pk


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route", "callback"), route_cases())
def test_route_isolates_accounts(name, route, callback, owner, outsider):
    case = CASES.get(name)
    assert case is not None, f"{name} has no tenancy case"
    if case.kind in ("singleton", "bulk"):
        case.check(outsider, owner)
        return

    viewset = callback.cls
    model = viewset.model
    assert model in FACTORIES, f"no factory for {model.__name__}"
    theirs = FACTORIES[model](owner.account)
    mine = FACTORIES[model](outsider.account)
    path_kwargs = {"pk": theirs.pk}
    for kwarg, kwarg_model in case.extra_kwargs.items():
        path_kwargs[kwarg] = FACTORIES[kwarg_model](owner.account).pk
    is_detail = "(?P<pk>" in route

    for method in list(callback.actions):
        if is_detail:
            # The owner's record, through every method: as if it did not exist.
            response = getattr(outsider.client, method)(
                build_path(route, path_kwargs), {}, format="json"
            )
            assert response.status_code == 404, (method, route, response.content)
            # The outsider's own record with the owner's ids in the other path parts.
            if case.extra_kwargs:
                own_kwargs = path_kwargs | {"pk": mine.pk}
                response = getattr(outsider.client, method)(
                    build_path(route, own_kwargs), {}, format="json"
                )
                assert response.status_code == 404, (method, route, response.content)
            # Nothing of the owner's changed or vanished.
            assert model.objects.for_account(owner.account).filter(pk=theirs.pk).exists()
        elif method == "get":
            response = outsider.client.get(build_path(route, {}), {"page_size": 100})
            assert response.status_code == 200
            seen = {row["id"] for row in response.json()["results"]}
            assert theirs.pk not in seen
            assert seen <= set(
                model.objects.for_account(outsider.account).values_list("id", flat=True)
            )
            assert mine.pk in seen
        elif method == "post":
            serializer = viewset.serializer_class(context={"account": outsider.account})
            for field_name, rel_model, many in related_fields(serializer):
                value = foreign_value(rel_model, owner)
                body = CREATE_BODIES[model](outsider.account) | {
                    field_name: [value] if many else value
                }
                response = outsider.client.post(build_path(route, {}), body, format="json")
                assert response.status_code == 400, (field_name, response.content)
                assert field_name in response.json(), response.json()
                response = outsider.client.patch(
                    build_path(route, {}) + f"{mine.pk}/", body, format="json"
                )
                assert response.status_code == 400, (field_name, response.content)
                assert field_name in response.json(), response.json()


@pytest.mark.django_db
def test_searching_and_filtering_never_reach_another_account(owner, outsider):
    ContactFactory(account=owner.account, first_name="Alice", last_name="Smith")
    tag = TagFactory(account=owner.account, name="vip")
    ContactTagFactory(contact__account=owner.account, tag=tag)
    for query in ("search=ali smi", "tag=vip", f"owner={owner.user.pk}"):
        body = outsider.client.get(f"/api/v1/crm/contacts/?{query}").json()
        assert body["count"] == 0, query


@pytest.mark.django_db
def test_the_calendar_feed_serves_only_the_callers_account(owner, outsider):
    """`/api/v1/me/...` is outside the CRM routes walked above: the feed's own case."""
    ActivityFactory(
        account=owner.account, owner=owner.user, subject="Owner's", due_at=timezone.now()
    )
    mine = owner.client.get("/api/v1/me/calendar/").json()["url"]
    theirs = outsider.client.get("/api/v1/me/calendar/").json()["url"]
    assert mine != theirs
    feed = Client().get(theirs.removeprefix("http://testserver"))
    assert feed.status_code == 200 and b"Owner's" not in feed.content
    # The owner's secret under the outsider's account id, and the other way round.
    swapped = mine.replace(f"/{owner.account.pk}/", f"/{outsider.account.pk}/")
    assert Client().get(swapped.removeprefix("http://testserver")).status_code == 404
    # X-Account naming an account the caller is not in: no feed of it.
    response = outsider.client.get("/api/v1/me/calendar/", HTTP_X_ACCOUNT=str(owner.account.pk))
    assert response.status_code in (403, 404)
