"""The browsable API (Accept: text/html) with a session: no route answers 500.

Routes are enumerated from the URL resolver; path ids are the owner's real records, so
each page renders its data and DRF's forms for it (the renderer builds a form for
every method the view allows, even on a GET of an action that only accepts POST).
"""

import re

import pytest

from activities.models import Activity
from companies.models import Company
from contacts.models import Contact
from customfields.models import CustomFieldDefinition
from deals.models import Deal, Pipeline
from notes.models import Note
from tests.factories import (
    ActivityFactory,
    CompanyTagFactory,
    ContactTagFactory,
    CustomFieldDefinitionFactory,
    DealFactory,
    NoteFactory,
    TagFactory,
)
from tests.test_openapi_schema import api_routes
from tests.web_client import client_for

pytestmark = pytest.mark.django_db

# The model a route's `pk` names, by the route's first segment after the prefix.
RESOURCES = {
    "activities": Activity,
    "companies": Company,
    "contacts": Contact,
    "custom-fields": CustomFieldDefinition,
    "deals": Deal,
    "notes": Note,
    "pipelines": Pipeline,
    "tags": "tag",
}


def browsable_routes():
    """Every API route, without the `.json`/`.api` format-suffix variants."""
    return sorted(route for route in api_routes() if "format" not in route)


def owner_records(actor, pipeline):
    contact_tag = ContactTagFactory(contact__account=actor.account)
    company_tag = CompanyTagFactory(company__account=actor.account)
    records = {
        Contact: contact_tag.contact,
        Company: company_tag.company,
        Pipeline: pipeline,
        Deal: DealFactory(pipeline=pipeline, contact=contact_tag.contact),
        Activity: ActivityFactory(account=actor.account, owner=actor.user),
        Note: NoteFactory(account=actor.account, author=actor.user),
        "tag": TagFactory(account=actor.account),
        CustomFieldDefinition: CustomFieldDefinitionFactory(
            account=actor.account, type="select", options=["web", "ads"]
        ),
    }
    tag_of = {Contact: contact_tag.tag, Company: company_tag.tag}
    return records, tag_of


def fill(route, records, tag_of):
    resource = RESOURCES.get(route.removeprefix("api/v1/crm/").split("/")[0])
    values = {
        "pk": getattr(records.get(resource), "pk", None),
        "tag_id": getattr(tag_of.get(resource), "pk", None),
        # The trash's restore, of a record that is not in the trash: a 404 to browse.
        "record_type": "contacts",
        "record_id": records[Contact].pk,
        # The calendar feed, with a secret that opens nothing: a 404 to browse.
        "account_id": records[Contact].account_id,
        "secret": "x" * 43,
    }
    if values["pk"] is None and not route.startswith("api/v1/crm/"):
        values["pk"] = 2**31  # e.g. a notification: nobody's, a 404 to browse

    def replace(match):
        value = values.get(match.group(1))
        if value is None:
            pytest.fail(f"{route}: no value for <{match.group(1)}>; teach this test")
        return str(value)

    return "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", replace, route).replace("\\.", ".")


def test_there_are_api_routes_to_browse():
    assert "api/v1/me/" in browsable_routes()


@pytest.mark.parametrize("route", browsable_routes())
def test_every_api_route_renders_in_the_browsable_api_with_a_session(owner, pipeline, route):
    records, tag_of = owner_records(owner, pipeline)
    client = client_for(owner)
    client.raise_request_exception = False
    response = client.get(fill(route, records, tag_of), HTTP_ACCEPT="text/html")
    assert response.status_code < 500, response.status_code


def test_me_in_the_browsable_api_shows_the_signed_in_user(owner):
    response = client_for(owner).get("/api/v1/me/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "olivia" in response.content.decode()
