"""Standing users of every tenancy test: an owner, a teammate and an outsider."""

from dataclasses import dataclass

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Membership
from tests.factories import AccountFactory, MembershipFactory, PipelineFactory, UserFactory


@dataclass
class Actor:
    user: object
    account: object
    client: APIClient


def make_actor(account, role=Membership.Role.MEMBER, **user_kwargs):
    user = UserFactory(**user_kwargs)
    MembershipFactory(account=account, user=user, role=role)
    client = APIClient()
    token = Token.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return Actor(user=user, account=account, client=client)


CITUS = {"on": False}
# The suites whose every statement must reach one shard on Citus (tests/citus_routing.py).
ROUTED_SUITES = ("tests.test_api_", "tests.test_web_")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """On Citus, a test database an interrupted run left behind is dropped first."""
    from django.conf import settings

    from scaleout import nodes

    default = settings.DATABASES["default"]
    if default["ENGINE"] == "django.db.backends.postgresql":
        test_name = default.get("TEST", {}).get("NAME") or f"test_{default['NAME']}"
        nodes.drop_leftover_test_database(default, test_name)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On a Citus coordinator, the migrated test database joins the cluster and is
    distributed as `make citus` distributes its own (scaleout/); elsewhere, as is."""
    from django.core.management import call_command

    from scaleout import nodes

    with django_db_blocker.unblock():
        citus = nodes.server_preloads_citus(connection)
    CITUS["on"] = citus
    if not citus:
        yield
        return
    name = connection.settings_dict["NAME"]
    source = nodes.source_database(name)
    with django_db_blocker.unblock():
        nodes.join_cluster(connection, source)
        call_command("distribute_schema", verbosity=0)
    yield
    from tests.citus_routing import close_side_connection

    close_side_connection()
    with django_db_blocker.unblock():
        nodes.drop_from_workers(connection.settings_dict, source, name)


@pytest.fixture(autouse=True)
def _single_node_plan(request):
    """`@pytest.mark.single_node_plan`: a test that reads PostgreSQL's plan of a
    statement (an index range, an index name) runs on one PostgreSQL only. On Citus the
    coordinator's plan is a distributed scan; the routing check covers those statements."""
    if request.node.get_closest_marker("single_node_plan") is None:
        return
    request.getfixturevalue("django_db_setup")
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's plans")
    if CITUS["on"]:
        pytest.skip("reads a single-node plan; on Citus the routing check covers these statements")


@pytest.fixture(autouse=True)
def _single_shard_routing(request):
    """On Citus, a test of the API or web suites fails if any of its statements fans
    out to several shards (reference-table reads go to one)."""
    if not request.module.__name__.startswith(ROUTED_SUITES):
        yield
        return
    request.getfixturevalue("django_db_setup")
    if not CITUS["on"]:
        yield
        return
    from tests.citus_routing import RoutingRecorder

    recorder = RoutingRecorder(connection)
    with connection.execute_wrapper(recorder):
        yield
    if recorder.fan_outs:
        pytest.fail(recorder.report(), pytrace=False)


@pytest.fixture
def account(db):
    return AccountFactory(name="Acme")


@pytest.fixture
def other_account(db):
    return AccountFactory(name="Globex")


@pytest.fixture
def owner(account):
    return make_actor(account, Membership.Role.OWNER, username="olivia")


@pytest.fixture
def teammate(account):
    return make_actor(account, Membership.Role.MEMBER, username="tom")


@pytest.fixture
def outsider(other_account):
    return make_actor(other_account, Membership.Role.OWNER, username="oscar")


@pytest.fixture
def pipeline(owner):
    """The owner's "Sales" pipeline, with the default four stages."""
    return PipelineFactory(account=owner.account, name="Sales")


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"database: {engine} ({settings.DATABASES['default']['NAME']})"
