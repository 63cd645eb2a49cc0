"""What schemathesis does for the API (tests/test_schemathesis.py), for the web app:
every UI route, signed in as the owner, with hostile values in every query parameter
the views read, and hostile form values in every POST. No answer may be a 5xx.

Routes come from the URL resolver (as in tests/test_web_tenancy_routes.py), with path
ids of the owner's real records. Parameter names come from the views themselves: the
quoted names their modules read (`request.GET.get("page")`) and the fields of the forms
and filter sets they use, so a new parameter is fuzzed without editing this file.
(A NUL byte never reaches a view: crm_project/middleware.py refuses it with a 400.)
"""

import inspect
import re
import sys

import django_filters
import pytest
from django import forms

from contacts.models import ContactImport
from tests.test_web_tenancy_routes import (
    KWARG_MODELS,
    KWARG_VALUES,
    fill,
    owner_records,
    web_routes,
)
from tests.web_client import client_for

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # hypothesis: seconds a route

HOSTILE = [
    "²",
    "①",
    "٣",
    "１２",
    "-1",
    "0",
    "9" * 20,
    "9" * 5000,
    "-" + "9" * 5000,
    "",
    " ",
    "1e999",
    "NaN",
    "1.5",
    "0001-01-01",
    "9999-12-31",
    "99999-01-01T00:00",
    "%",
    "\u202e",
    "a" * 5000,
]
# Names a view may read that are not spelled in its own module (a shared helper's).
# `version` and `show`: an edit form's version, the in-place field's Cancel
# (web/form_versions.py, web/field_edits.py).
ALWAYS = {"page", "q", "next", "owner", "pipeline", "tag", "sort", "version", "show"}
# The custom field filters, columns and form fields (named for the definition that
# owner_records() makes: their names come from the account's data, not the code).
ALWAYS |= {"cf_secret_source", "cf_secret_source__gte", "columns", "columns_set"}


def parameter_names(callback) -> set[str]:
    """The query/form parameter names the view behind `callback` may read."""
    view_class = getattr(callback, "view_class", None) or callback
    module = sys.modules[view_class.__module__]
    names = set(ALWAYS)
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        source = ""
    names |= set(
        re.findall(r"""(?:GET|POST|params|data)\.get(?:list)?\(\s*["'](\w+)["']""", source)
    )
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, django_filters.FilterSet):
            names |= set(value.base_filters)
        elif isinstance(value, type) and issubclass(value, forms.BaseForm):
            names |= set(value.base_fields)
    return names


def path_values(route, callback, records) -> dict:
    values = {}
    for param in set(re.findall(r"<(?:\w+:)?(\w+)>", route)):
        if param in ("pk", "other"):  # `other`: the merge screen's second record
            model = getattr(getattr(callback, "view_class", None), "model", None)
        elif param in KWARG_VALUES:
            values[param] = KWARG_VALUES[param](getattr(callback, "view_class", None))
            continue
        else:
            model = KWARG_MODELS.get(param)
        assert model in records, f"{route}: teach this test the record for <{param}>"
        values[param] = records[model].pk
    return values


def route_params(*, posting=False):
    return [
        pytest.param(route, callback, id=f"{name}:{route}")
        for name, route, callback in web_routes()
        if name != "logout"  # signing out would end the fuzzing
        and (not posting or hasattr(getattr(callback, "view_class", None), "post"))
    ]


@pytest.mark.parametrize(("route", "callback"), route_params())
def test_no_ui_route_answers_5xx_to_hostile_query_values(owner, route, callback):
    records = owner_records(owner.account)
    path = fill(route, path_values(route, callback, records))
    names = sorted(parameter_names(callback))
    client = client_for(owner)
    client.raise_request_exception = False
    failures = []

    def check(method, data):
        response = getattr(client, method)(path, data)
        if response.status_code >= 500:
            failures.append((method, {k: str(v)[:30] for k, v in data.items()}))

    for value in HOSTILE:
        check("get", dict.fromkeys(names, value))  # every parameter at once
    for name in names:  # each on its own, so one refusal cannot hide another's 500
        check("get", {name: "²"})
        check("get", {name: ["1", "9" * 5000, "-1", ""]})  # repeated: get() reads the last
    assert failures == [], failures


@pytest.mark.parametrize(("route", "callback"), route_params(posting=True))
def test_no_ui_route_answers_5xx_to_hostile_form_values(owner, route, callback):
    records = owner_records(owner.account)
    path = fill(route, path_values(route, callback, records))
    names = sorted(parameter_names(callback) | {"ids", "account", "action", "kind", "remove"})
    client = client_for(owner)
    client.raise_request_exception = False
    failures = []
    for value in ("²", "9" * 5000, "-1", "0001-01-01T00:00", "a" * 5000, ""):
        response = client.post(path, dict.fromkeys(names, value))
        if response.status_code >= 500:
            failures.append(value[:20])
    assert failures == [], failures


def test_the_imports_page_lists_an_import_whose_uploader_was_deleted(owner):
    # Found by the fuzzing above: created_by is SET_NULL, and the template read
    # `.username` of None as a filter argument, which Django does not silence.
    ContactImport.objects.create(
        account=owner.account,
        file_name="old.csv",
        encoding="UTF-8",
        content="a\n1\n",
        headers=["a"],
        row_count=1,
        mapping=["first_name"],
        created_by=None,
    )
    response = client_for(owner).get("/imports/contacts/")
    assert response.status_code == 200
    assert "old.csv" in response.content.decode()


def test_the_public_set_password_page_never_answers_5xx(owner):
    """The invited teammate's page (web/members/, outside the "web" namespace, so not
    enumerated above): hostile link parts, and hostile passwords on a valid link."""
    from django.test import Client

    from accounts.services import membership_invite
    from web.members.views import set_password_link

    invited = membership_invite(account=owner.account, username="fuzzed")
    request = Client().get("/").wsgi_request
    link = set_password_link(request, invited.user)
    failures = []
    for value in HOSTILE:
        for url in (f"/welcome/{value}/x-y/", f"/welcome/MQ/{value}/"):
            response = Client(raise_request_exception=False).get(url)
            if response.status_code >= 500:
                failures.append(url[:40])
    client = Client(raise_request_exception=False)
    form_url = client.get(link).url
    for value in ("²", "9" * 5000, "", "a" * 5000, "\u202e"):
        data = {"new_password1": value, "new_password2": value[::-1]}
        response = client.post(form_url, data)
        if response.status_code >= 500:
            failures.append(value[:20])
    assert failures == [], failures
