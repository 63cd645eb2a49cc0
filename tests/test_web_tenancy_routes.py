"""Account isolation over every UI route the URL resolver knows (namespace "web").

Routes are enumerated, not listed: a route on a record (`<int:pk>`) is checked with the
view's own `model` — the outsider gets 404 on the owner's record for GET and POST —
and every other page is fetched by the outsider and must not show any of the owner's
records. A path parameter this test does not know fails it: teach it below.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import Membership, Tag
from activities.models import Activity
from companies.models import Company
from contacts.models import Contact, ContactImport
from customfields.models import CustomFieldDefinition
from customfields.services import custom_field_create
from deals.models import Deal, Pipeline, Stage
from events.kinds import kind_named
from events.models import Source
from notes.models import Note
from notifications.models import Notification
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    MembershipFactory,
    NoteFactory,
    PipelineFactory,
    TagFactory,
    UserFactory,
)
from trash.models import TrashedRecord
from trash.services import records_trash

pytestmark = pytest.mark.django_db
SECRET = "Zq9SecretOwnerMarker"


def owner_records(account):
    company = CompanyFactory(account=account, name=f"{SECRET} Company")
    contact = ContactFactory(account=account, first_name=SECRET, company=company)
    pipeline = PipelineFactory(account=account, name=f"{SECRET} Pipeline")
    deal = DealFactory(pipeline=pipeline, title=f"{SECRET} Deal", contact=contact, company=company)
    return {
        Company: company,
        Contact: contact,
        Pipeline: pipeline,
        Deal: deal,
        Activity: ActivityFactory(account=account, subject=f"{SECRET} task", contact=contact),
        Note: NoteFactory(account=account, body=f"<p>{SECRET} note</p>", contact=contact),
        Tag: TagFactory(account=account, name=f"{SECRET}-tag"),
        ContactImport: ContactImport.objects.create(
            account=account,
            file_name=f"{SECRET}.csv",
            encoding="UTF-8",
            content=f"First name\n{SECRET}\n",
            headers=["First name"],
            row_count=1,
            mapping=["first_name"],
            status=ContactImport.Status.READY,
        ),
        Stage: Stage.objects.for_account(account).filter(pipeline=pipeline).first(),
        CustomFieldDefinition: custom_field_create(
            account=account,
            data={
                "record_type": "contact",
                "key": "secret_source",
                "label": f"{SECRET} source",
                "type": "select",
                "options": [f"{SECRET} option"],
            },
        ),
        TrashedRecord: trashed_secret(account),
        Notification: Notification.objects.create(
            account=account,
            user=Membership.objects.filter(account=account).first().user,
            kind=Notification.Kind.ASSIGNED,
            record_type="contact",
            record_id=contact.pk,
            title=f"{SECRET} notification",
        ),
        # Last: the notification above goes to the account's first member, the owner.
        Membership: MembershipFactory(
            account=account,
            user=UserFactory(username="secret-teammate", first_name=SECRET),
            role=Membership.Role.MEMBER,
        ),
    }


def trashed_secret(account):
    """A deleted contact in the owner's trash, which the trash page must not show."""
    contact = ContactFactory(account=account, first_name=f"{SECRET} Trashed")
    records_trash(kind_named("contact"), rows=[contact], by=None, source=Source.UI)
    return TrashedRecord.objects.for_account(account).get(record_id=contact.pk)


# Path parameters other than `pk`, and the model they name.
KWARG_MODELS = {
    "contact_id": Contact,
    "other_contact_id": Contact,
    "company_id": Company,
    "other_company_id": Company,
    "deal_id": Deal,
    "activity_id": Activity,
    "note_id": Note,
    "pipeline_id": Pipeline,
    "tag_id": Tag,
    "stage_id": Stage,
}
# Path parameters that name no record: a value the view accepts (given its class), so
# that a 404 comes from the record of another account, not from the parameter.
KWARG_VALUES = {
    "field": lambda view_class: view_class.field_names[0],  # web/field_edits.py
}


def web_routes():
    found = []

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                ns = entry.namespace or namespace
                walk(entry.url_patterns, prefix + str(entry.pattern), ns)
            elif isinstance(entry, URLPattern) and namespace == "web":
                found.append((entry.name, prefix + str(entry.pattern), entry.callback))

    walk(get_resolver().url_patterns, "", None)
    return found


def route_params():
    return [
        pytest.param(route, callback, id=f"{name}:{route}")
        for name, route, callback in web_routes()
    ]


def fill(route, values):
    def replace(match):
        name = match.group("name")
        if name not in values:
            pytest.fail(f"{route}: no value for <{name}>; teach test_web_tenancy_routes")
        return str(values[name])

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", replace, route)
    return "/" + path.replace("^", "").replace("$", "")


def body(response) -> str:
    if response.streaming:  # e.g. the CSV export
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def test_the_ui_has_routes_to_check():
    assert any(name == "dashboard" for name, _r, _c in web_routes())


@pytest.mark.parametrize(("route", "callback"), route_params())
def test_the_outsider_never_reaches_the_owners_records(route, callback, owner, outsider):
    records = owner_records(owner.account)
    owner_token = Token.objects.get(user=owner.user).key  # e.g. the profile page's
    client = Client()
    client.force_login(outsider.user)
    params = set(re.findall(r"<(?:\w+:)?(\w+)>", route))
    if not params:
        response = client.get(fill(route, {}))
        assert response.status_code in (200, 302, 405), response.status_code
        assert SECRET not in body(response), route
        assert owner_token not in body(response), route
        return
    view_class = getattr(callback, "view_class", None)
    values = {}
    for param in params:
        if param in ("pk", "other"):  # `other`: a second record of the view's model
            model = getattr(view_class, "model", None)
            assert model in records, f"{route}: its view needs a `model` this test knows"
        elif param in KWARG_VALUES:
            values[param] = KWARG_VALUES[param](view_class)
            continue
        else:
            model = KWARG_MODELS.get(param)
            assert model is not None, f"{route}: unknown path parameter <{param}>"
        values[param] = records[model].pk
    path = fill(route, values)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        # 404 even where the method is not allowed: a 405 would say the record exists.
        assert response.status_code == 404, (method, path, response.status_code)
        assert SECRET not in body(response)


@pytest.mark.parametrize("kind", ["contacts", "companies", "deals", "owners"])
def test_the_pickers_never_offer_another_accounts_records(kind, owner, outsider):
    """What the outsider types is searched among their own account's rows only: the
    owner's records (and the owner, as an assignee) never come back as options."""
    records = owner_records(owner.account)
    theirs = {str(record.pk) for record in records.values()} | {str(owner.user.pk)}
    client = Client()
    client.force_login(outsider.user)
    for query in ("", SECRET[:1], SECRET[:3], SECRET, owner.user.username):
        answer = body(client.get(f"/pickers/{kind}/", {"q": query}))
        labels = re.findall(r'data-label="([^"]*)"', answer)
        values = set(re.findall(r'data-value="([^"]*)"', answer))
        assert not any(SECRET in label for label in labels), (kind, query, labels)
        assert not values & theirs or kind == "owners" and values == {str(outsider.user.pk)}


def test_the_picker_routes_are_among_those_checked():
    """The pickers (issue 17) are enumerated like every route: no path parameters, so
    the outsider fetches each and must see none of the owner's records."""
    names = {name for name, _r, _c in web_routes()}
    assert {
        "picker-contacts",
        "picker-contacts-new",
        "picker-companies",
        "picker-companies-new",
        "picker-deals",
        "picker-owners",
    } <= names


def test_the_calendar_never_shows_another_accounts_activities_or_feed(owner, outsider):
    """The calendar picks an owner by id: the owner's id from another account is no
    choice, and the page's feed is the viewer's own."""
    ActivityFactory(
        account=owner.account, owner=owner.user, subject=f"{SECRET} call", due_at=timezone.now()
    )
    owner_feed = owner.client.get("/api/v1/me/calendar/").json()["url"]
    client = Client()
    client.force_login(outsider.user)
    for query in ("", f"?owner={owner.user.pk}", f"?owner={owner.user.pk}&view=month"):
        page = body(client.get(f"/calendar/{query}"))
        assert SECRET not in page and owner_feed not in page, query


def test_the_settings_routes_are_among_those_checked():
    """The pipeline and tag settings (issue 18) are enumerated like every route: their
    `<pk>` views name Pipeline, Stage and Tag, which owner_records() provides."""
    names = {name for name, _r, _c in web_routes()}
    assert {
        "pipeline-settings",
        "pipeline-settings-pipeline",
        "pipeline-settings-order",
        "pipeline-settings-stage",
        "pipeline-settings-stage-move",
        "pipeline-settings-stage-delete",
        "tag-settings",
        "tag-settings-tag",
        "tag-settings-merge",
        "tag-settings-delete",
    } <= names
