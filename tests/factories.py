"""factory-boy factories for every model; tests build data with these, never fixtures."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Account, Membership, Tag, User
from companies.models import Company, CompanyTag
from contacts.models import Contact, ContactTag


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n}")
    currency = "USD"
    phone_region = "US"
    time_zone = "UTC"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"tag{n}")


class CompanyFactory(DjangoModelFactory):
    class Meta:
        model = Company

    account = factory.SubFactory(AccountFactory)
    name = factory.Faker("company")
    domain = factory.Sequence(lambda n: f"company{n}.example.com")
    owner = None


class CompanyTagFactory(DjangoModelFactory):
    class Meta:
        model = CompanyTag

    company = factory.SubFactory(CompanyFactory)
    tag = factory.SubFactory(TagFactory, account=factory.SelfAttribute("..company.account"))
    account = factory.SelfAttribute("company.account")


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")
    owner = None


class ContactTagFactory(DjangoModelFactory):
    class Meta:
        model = ContactTag

    contact = factory.SubFactory(ContactFactory)
    tag = factory.SubFactory(TagFactory, account=factory.SelfAttribute("..contact.account"))
    account = factory.SelfAttribute("contact.account")
