from io import StringIO

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, Max

from accounts.models import Account, Membership, Tag, User
from companies.models import Company
from contacts.models import Contact, ContactTag
from customfields.values import definitions_for, validate_custom_values
from demo.management.commands.seed_demo import (
    ACCOUNT_NAME,
    COMPANY_COUNT,
    CONTACT_COUNT,
    SUBSIDIARY_COUNT,
    TAGS,
    fake_companies,
    fake_contacts,
)
from tests.factories import ContactFactory, UserFactory
from tests.queries import assert_queries

pytestmark = pytest.mark.django_db

# Generous, and independent of CONTACT_COUNT: bulk paths only, never a query per row.
# 64: pipeline_create writes in a savepoint (two statements a pipeline, two pipelines), so
# a name a concurrent request took is a 400 instead of an IntegrityError.
MAX_QUERIES = 64


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    account = Account.objects.get(name=ACCOUNT_NAME)
    return {
        "accounts": Account.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "tags": Tag.objects.for_account(account).count(),
        "contacts": Contact.objects.for_account(account).count(),
        "contact_tags": ContactTag.objects.for_account(account).count(),
    }


def test_it_creates_the_account_with_an_owner_and_two_teammates():
    seed()
    account = Account.objects.get(name=ACCOUNT_NAME)
    roles = dict(Membership.objects.filter(account=account).values_list("user__username", "role"))
    assert roles == {"demo": "owner", "sam": "admin", "riley": "member"}
    for username in roles:
        assert authenticate(username=username, password="demo") is not None


def test_it_creates_contacts_with_valid_phones_and_unique_emails():
    seed()
    account = Account.objects.get(name=ACCOUNT_NAME)
    contacts = list(Contact.objects.for_account(account))
    assert len(contacts) == CONTACT_COUNT >= 250

    emails = [contact.email for contact in contacts]
    assert all(emails) and len(set(emails)) == len(emails)
    assert all(email == email.lower() for email in emails)

    phones = [str(contact.phone) for contact in contacts if contact.phone]
    assert len(phones) > CONTACT_COUNT * 0.8
    for phone in phones:
        parsed = phonenumbers.parse(phone)
        assert phonenumbers.is_valid_number(parsed), phone
        assert phone == phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        assert phonenumbers.region_code_for_number(parsed) == "US"


def test_it_spreads_owners_tags_and_custom_fields():
    seed()
    account = Account.objects.get(name=ACCOUNT_NAME)
    contacts = Contact.objects.for_account(account)
    assert contacts.values("owner").distinct().count() == 3
    assert Tag.objects.for_account(account).count() == 12
    tag_counts = contacts.annotate(n=Count("tag_links")).values_list("n", flat=True)
    assert set(tag_counts) == {0, 1, 2, 3}
    first = contacts.first()
    assert first.title
    assert set(first.custom_fields) >= {"source", "score"}


def test_it_is_idempotent():
    seed()
    before = counts()
    account = Account.objects.get(name=ACCOUNT_NAME)
    last_update = Contact.objects.for_account(account).aggregate(Max("updated_at"))

    out = seed()

    assert counts() == before
    assert Contact.objects.for_account(account).aggregate(Max("updated_at")) == last_update
    assert "0 contacts created" in out


def test_it_prints_the_demo_login():
    assert seed().strip().splitlines()[-1] == "Demo login: demo / demo"


def test_it_runs_in_a_bounded_number_of_queries():
    with assert_queries(at_most=MAX_QUERIES):
        seed()
    with assert_queries(at_most=MAX_QUERIES):
        seed()


def test_it_leaves_other_accounts_alone(outsider):
    # Another account already has the demo's first email: uniqueness is per account.
    companies = [
        c for c, _parent in fake_companies(outsider.account, owners=[outsider.user]).values()
    ]
    generated = fake_contacts(
        outsider.account, owners=[outsider.user], tag_names=list(TAGS), companies=companies
    )
    ContactFactory(account=outsider.account, email=generated[0][0].email)
    seed()
    demo = Account.objects.get(name=ACCOUNT_NAME)
    assert Contact.objects.for_account(demo).count() == CONTACT_COUNT
    assert Contact.objects.for_account(outsider.account).count() == 1
    assert (
        not Membership.objects.filter(user=outsider.user).exclude(account=outsider.account).exists()
    )


def test_a_teammate_username_taken_outside_the_demo_is_an_error():
    UserFactory(username="Sam")
    with pytest.raises(CommandError, match="“Sam” is already taken"):
        seed()
    assert not Account.objects.filter(name=ACCOUNT_NAME).exists()


def test_it_creates_companies_with_subsidiaries_and_links_contacts():
    seed()
    demo = Account.objects.get(name=ACCOUNT_NAME)
    companies = Company.objects.for_account(demo)
    assert companies.count() == COMPANY_COUNT
    assert companies.filter(parent__isnull=False).count() == SUBSIDIARY_COUNT
    linked = Contact.objects.for_account(demo).filter(company__isnull=False)
    assert linked.count() > CONTACT_COUNT * 0.7
    for contact in linked.select_related("company")[:50]:
        assert contact.email.endswith("@" + contact.company.domain)
    seed()
    assert companies.count() == COMPANY_COUNT
    assert companies.filter(parent__isnull=False).count() == SUBSIDIARY_COUNT


def test_it_creates_deals_across_stages_statuses_and_two_currencies():
    from deals.models import Deal, Pipeline
    from demo.management.commands.seed_demo import DEAL_COUNT

    seed()
    demo = Account.objects.get(name=ACCOUNT_NAME)
    deals = Deal.objects.for_account(demo)
    assert deals.count() == DEAL_COUNT
    assert set(deals.values_list("currency", flat=True)) == {"USD", "EUR"}
    assert {"open", "won", "lost"} <= set(deals.values_list("status", flat=True))
    assert deals.values("stage").distinct().count() >= 5
    assert set(Pipeline.objects.for_account(demo).values_list("name", flat=True)) == {
        "Sales",
        "Partnerships",
    }
    seed()
    assert deals.count() == DEAL_COUNT


def test_it_creates_a_realistic_history_once():
    from activities.models import Activity
    from notes.models import Note

    seed()
    demo = Account.objects.get(name=ACCOUNT_NAME)
    activities = Activity.objects.for_account(demo)
    assert activities.filter(status="completed").exists()
    assert activities.overdue().exists()
    assert activities.pending().exclude(pk__in=activities.overdue()).exists()
    assert Note.objects.for_account(demo).filter(kind="email").exists()
    before = (activities.count(), Note.objects.for_account(demo).count())
    seed()
    assert (activities.count(), Note.objects.for_account(demo).count()) == before


def test_it_defines_the_contact_custom_fields_its_values_fit():
    seed()
    seed()
    account = Account.objects.get(name=ACCOUNT_NAME)
    definitions = definitions_for(account.pk, "contact")
    assert [(d.key, d.type) for d in definitions] == [
        ("newsletter", "boolean"),
        ("score", "number"),
        ("source", "select"),
    ]
    for contact in Contact.objects.for_account(account):
        validate_custom_values(definitions=definitions, values=contact.custom_fields, creating=True)
