"""Property-based run over the whole OpenAPI schema: no input gets a 500, and every answer
matches the schema.

The schema is loaded from the WSGI app (not a running server), so every request runs
in-process inside pytest-django's per-test transaction. Schemathesis turns each operation
of `/api/schema/` into its own pytest item (`test_api[GET /api/v1/crm/contacts/]`, ...),
so a new endpoint is picked up with no change here; select some with `-k`, e.g.
`-k "companies and PATCH"`. Each item gets a fresh account with a few rows of every
model (and another account's rows, which must answer as if absent); the hypothesis
examples of one operation share that data, which is deliberate: a DELETE or a POST of an
earlier example is state a later one has to cope with.

Nothing is excluded. Checks: `not_a_server_error` and `response_schema_conformance`.
`FUZZ_EXPLORE=1` runs 200 random examples per operation instead of 25 fixed ones.
"""

import os
import re
from datetime import timedelta
from functools import cache

import pytest
import schemathesis
from django.apps import apps
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import TestPhase
from schemathesis.specs.openapi.checks import response_schema_conformance

from accounts.models import User
from accounts.tenancy import AccountOwned
from activities.services import activity_complete, activity_start
from deals.services import deal_lose, deal_win
from events.models import Source
from tests.factories import (
    ActivityFactory,
    CompanyFactory,
    CompanyTagFactory,
    ContactFactory,
    ContactTagFactory,
    DealFactory,
    NoteFactory,
    PipelineFactory,
    TagFactory,
)

pytestmark = pytest.mark.slow  # every API operation, 25 hypothesis examples each

# Read at import time, before any test database exists: drf-spectacular builds the schema
# without a query (views check `swagger_fake_view`), so this also proves the schema view
# needs no database. `?format=json` only spares a YAML parse.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())

# FUZZ_EXPLORE=1 runs more, and different, examples on each run (to hunt for bugs);
# by default every run sends the same requests, so the suite is never flaky.
EXPLORE = os.environ.get("FUZZ_EXPLORE") == "1"

# Ids of the rows the running test seeded, by model, the owner's first; empty outside a
# test (schemathesis builds its "coverage" cases at collection time, with no database).
_seeded_ids: dict[type, list[int]] = {}
_owner_ids: dict[type, list[int]] = {}


def _seed(actor):
    """A few rows of each model in the actor's account, linked to each other.

    A new model belongs here too (two or three rows, related to the others): the ids of
    every account-owned model seeded here are then used in paths and bodies.
    """
    account = actor.account
    tags = TagFactory.create_batch(3, account=account)
    parent = CompanyFactory(account=account, owner=actor.user)
    companies = [
        parent,
        CompanyFactory(account=account, parent=parent, custom_fields={"tier": "gold"}),
        CompanyFactory(account=account, domain=""),
    ]
    contacts = [
        ContactFactory(account=account, owner=actor.user, company=parent, phone="+14155552671"),
        ContactFactory(account=account, company=companies[1], custom_fields={"score": 3}),
        ContactFactory(account=account, owner=actor.user, email=""),
    ]
    for index, tag in enumerate(tags):
        ContactTagFactory(account=account, contact=contacts[index], tag=tag)
        CompanyTagFactory(account=account, company=companies[index], tag=tag)
    pipeline = PipelineFactory(account=account)
    deal = DealFactory(pipeline=pipeline, contact=contacts[0], company=parent, owner=actor.user)
    won = DealFactory(pipeline=pipeline, currency="EUR", probability=40)
    deal_win(deal=won, by=None, source=Source.SYSTEM)
    lost = DealFactory(pipeline=PipelineFactory(account=account, stages=[("Only", 100)]))
    deal_lose(deal=lost, by=None, source=Source.SYSTEM, reason="price")
    links = {"contact": contacts[0], "company": parent, "deal": deal}
    ActivityFactory(
        account=account, owner=actor.user, due_at=timezone.now() - timedelta(days=1), **links
    )
    call = ActivityFactory(account=account, type="call", contact=contacts[1])
    activity_complete(activity=call, by=None, source=Source.SYSTEM)
    started = ActivityFactory(account=account, company=companies[1])
    activity_start(activity=started, by=None, source=Source.SYSTEM)
    NoteFactory(account=account, author=actor.user, **links)
    NoteFactory(account=account, kind="email", direction="inbound", contact=contacts[1])


@pytest.fixture
def connection_kept_across_requests():
    """Keep the test's connection open across in-process requests, as Django's test client
    does: the bare WSGI handler closes "old" connections when a request starts and ends,
    which on PostgreSQL (not in-memory SQLite) would drop the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def api_token(connection_kept_across_requests, owner, teammate, outsider):
    """The owner's token, in an account with data; the outsider's account has its own,
    so another account's ids come up too."""
    _seed(owner)
    _seed(outsider)
    for model in apps.get_models():
        if not issubclass(model, AccountOwned):
            continue
        _owner_ids[model] = list(
            model.objects.for_account(owner.account).order_by("pk").values_list("pk", flat=True)
        )
        _seeded_ids[model] = _owner_ids[model] + list(
            model.objects.for_account(outsider.account).values_list("pk", flat=True)
        )
    _owner_ids[User] = [owner.user.pk, teammate.user.pk]
    _seeded_ids[User] = [*_owner_ids[User], outsider.user.pk]
    yield Token.objects.get(user=owner.user).key
    _seeded_ids.clear()
    _owner_ids.clear()


@cache
def _view_model(path_template: str):
    """The model of the view serving a path (`/crm/contacts/{id}/tags/` → Contact)."""
    try:
        match = resolve(re.sub(r"\{[^}]+\}", "1", path_template))
    except Resolver404:
        return None
    view = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    model = getattr(view, "model", None)
    if model is None and getattr(view, "queryset", None) is not None:
        model = view.queryset.model
    return model


@cache
def _model_named(name: str, path_template: str):
    """The model a parameter or body field refers to: `id` and `parent` → the view's
    model, `owner`/`author` → User, `tag_id`/`company` → the model of that name."""
    if name in ("id", "pk", "parent"):
        return _view_model(path_template)
    if name in ("owner", "author"):
        return User
    label = name.removesuffix("_id").replace("_", "")
    return next((m for m in apps.get_models() if m._meta.model_name == label), None)


def _real_ids_or_generated(values: dict, path_template: str):
    """For each value that names a seeded model, mostly a real id (Hypothesis favours a
    one_of's first branch), else the generated value."""
    choices = {}
    for name, value in values.items():
        ids = _seeded_ids.get(_model_named(name, path_template))
        choices[name] = st.one_of(st.sampled_from(ids), st.just(value)) if ids else st.just(value)
    return st.fixed_dictionaries(choices)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    """Detail routes hit real rows (the owner's, or the outsider's, which must 404)."""
    if not _seeded_ids or not path_parameters:
        return st.just(path_parameters)
    return _real_ids_or_generated(path_parameters, context.operation.full_path)


@schema.hook
def flatmap_body(context, body):
    """Foreign keys in a body (`company`, `parent`, `owner`, ...) name real rows too:
    the owner's, or the outsider's, which must be a 400; and `parent` may be the row
    itself or its child (a cycle)."""
    if not _seeded_ids or not isinstance(body, dict) or not body:
        return st.just(body)
    return _real_ids_or_generated(body, context.operation.full_path)


def _aim_coverage_case_at_real_rows(case):
    """Coverage-phase cases are built at collection time, before any row exists, so their
    path ids are placeholders. Unless the case is about the path itself, point them at the
    owner's first row of that model, so the body and query variations of PATCH, PUT and
    actions reach validation instead of stopping at a 404."""
    meta = case.meta
    if meta is None or meta.phase.name != TestPhase.COVERAGE or not case.path_parameters:
        return
    if meta.phase.data.parameter_location == ParameterLocation.PATH:
        return
    path_parameters = dict(case.path_parameters)
    for name in path_parameters:
        ids = _owner_ids.get(_model_named(name, case.operation.full_path))
        if ids:
            path_parameters[name] = ids[0]
    case.path_parameters = path_parameters


@schema.parametrize()
@settings(
    max_examples=200 if EXPLORE else 25,
    derandomize=not EXPLORE,
    deadline=None,
    # Examples share the fixture's data on purpose (see the module docstring).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    # No `.hypothesis/` folder in the working tree.
    database=None,
    print_blob=True,
)
def test_api(case, api_token):
    _aim_coverage_case_at_real_rows(case)
    case.call_and_validate(
        headers={"Authorization": f"Token {api_token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
