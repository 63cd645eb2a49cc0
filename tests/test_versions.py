import datetime as dt

import pytest

from lib.versions import etag_of, version_of, version_of_moment
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_a_version_changes_with_updated_at_to_the_microsecond():
    moment = dt.datetime(2026, 11, 29, 9, 30, 0, 1, tzinfo=dt.UTC)
    assert version_of_moment(moment) != version_of_moment(moment + dt.timedelta(microseconds=1))


def test_an_etag_names_the_record_and_its_version(owner):
    contact = ContactFactory(account=owner.account)
    assert etag_of(contact) == f'"contact-{contact.pk}-{version_of(contact)}"'
