"""The fail-closed account scope on every CRM queryset."""

import pytest

from accounts.models import Tag
from accounts.tenancy import UnscopedQueryError
from contacts.models import Contact, ContactTag
from tests.factories import AccountFactory, ContactFactory, ContactTagFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_accounts():
    a, b = AccountFactory(), AccountFactory()
    ContactFactory.create_batch(2, account=a)
    ContactFactory.create_batch(3, account=b)
    return a, b


@pytest.mark.parametrize(
    "evaluate",
    [
        list,
        len,
        lambda qs: qs.count(),
        lambda qs: qs.exists(),
        lambda qs: qs.first(),
        lambda qs: qs.get(pk=1),
        lambda qs: list(qs.iterator()),
        lambda qs: qs.aggregate(n=__import__("django.db.models").db.models.Count("id")),
        lambda qs: qs.update(title="x"),
        lambda qs: qs.delete(),
        lambda qs: qs.in_bulk([1]),
        lambda qs: list(qs.values_list("id", flat=True)),
        lambda qs: list(qs.filter(first_name="x")),
        lambda qs: list(qs.exclude(account_id=1)),
    ],
)
def test_an_unscoped_query_raises_instead_of_returning_every_account(two_accounts, evaluate):
    with pytest.raises(UnscopedQueryError):
        evaluate(Contact.objects.all())


def test_for_account_returns_only_that_accounts_rows(two_accounts):
    a, b = two_accounts
    assert Contact.objects.for_account(a).count() == 2
    assert Contact.objects.for_account(b.pk).count() == 3
    assert {c.account_id for c in Contact.objects.for_account(a)} == {a.pk}


def test_for_account_refuses_none():
    with pytest.raises(ValueError):
        Contact.objects.for_account(None)


def test_an_or_with_the_account_does_not_count_as_scoped(two_accounts):
    from django.db.models import Q

    a, _b = two_accounts
    with pytest.raises(UnscopedQueryError):
        list(Contact.objects.filter(Q(account=a) | Q(first_name="x")))


def test_excluding_an_account_does_not_count_as_scoped(two_accounts):
    a, _b = two_accounts
    with pytest.raises(UnscopedQueryError):
        list(Contact.objects.exclude(account=a))


def test_filtering_on_a_related_rows_account_does_not_count_as_scoped(two_accounts):
    a, _b = two_accounts
    with pytest.raises(UnscopedQueryError):
        list(ContactTag.objects.filter(contact__account=a))


def test_dangerously_unscoped_says_it_sees_every_account(two_accounts):
    assert Contact.objects.dangerously_unscoped().count() == 5


def test_related_managers_of_a_crm_row_are_scoped_by_that_row():
    link = ContactTagFactory()
    assert list(link.contact.tags.all()) == [link.tag]
    assert list(link.tag.contacts.all()) == [link.contact]


def test_prefetching_tags_works_without_an_explicit_scope():
    link = ContactTagFactory()
    contact = Contact.objects.for_account(link.account).prefetch_related("tags").get()
    assert [t.name for t in contact.tags.all()] == [link.tag.name]


def test_model_validation_of_unique_constraints_runs_scoped():
    tag = TagFactory(name="VIP")
    duplicate = Tag(account=tag.account, name="vip")
    with pytest.raises(Exception) as excinfo:
        duplicate.full_clean()
    assert "already exists" in str(excinfo.value)
    # The same name in another account is fine.
    Tag(account=AccountFactory(), name="vip").full_clean()


def test_a_row_pointing_at_another_accounts_row_fails_validation():
    from django.core.exceptions import ValidationError

    link = ContactTagFactory()
    foreign_tag = TagFactory()
    bad = ContactTag(account=link.account, contact=link.contact, tag=foreign_tag)
    with pytest.raises(ValidationError) as excinfo:
        bad.full_clean()
    assert "tag" in excinfo.value.message_dict


def test_deleting_an_account_row_cascades_without_unscoped_queries():
    link = ContactTagFactory()
    link.tag.delete()
    assert ContactTag.objects.for_account(link.account).count() == 0
    assert Contact.objects.for_account(link.account).count() == 1
