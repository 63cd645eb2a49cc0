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
