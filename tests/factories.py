"""factory-boy factories for every model; tests build data with these, never fixtures."""

import factory
from factory.django import DjangoModelFactory

from accounts.models import Account, Membership, Tag, User
from activities.models import Activity
from companies.models import Company, CompanyTag
from contacts.models import Contact, ContactTag
from customfields.models import CustomFieldDefinition
from deals.models import Deal, Pipeline, Stage
from notes.models import Note


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


class PipelineFactory(DjangoModelFactory):
    """A pipeline with the default four stages (Lead 10 … Negotiation 75)."""

    class Meta:
        model = Pipeline
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Pipeline {n}")

    @factory.post_generation
    def stages(obj, create, extracted, **kwargs):
        if not create:
            return
        spec = (
            extracted
            if extracted is not None
            else [("Lead", 10), ("Qualified", 25), ("Proposal", 50), ("Negotiation", 75)]
        )
        for position, (name, probability) in enumerate(spec):
            Stage.objects.create(
                account=obj.account,
                pipeline=obj,
                name=name,
                probability=probability,
                position=position,
            )


class StageFactory(DjangoModelFactory):
    class Meta:
        model = Stage

    pipeline = factory.SubFactory(PipelineFactory, stages=[])
    account = factory.SelfAttribute("pipeline.account")
    name = factory.Sequence(lambda n: f"Stage {n}")
    probability = 50
    position = factory.Sequence(lambda n: n)


class DealFactory(DjangoModelFactory):
    class Meta:
        model = Deal

    pipeline = factory.SubFactory(PipelineFactory)
    account = factory.SelfAttribute("pipeline.account")
    stage = factory.LazyAttribute(
        lambda d: (
            Stage.objects.for_account(d.account)
            .filter(pipeline=d.pipeline)
            .order_by("position")
            .first()
        )
    )
    title = factory.Sequence(lambda n: f"Deal {n}")

    @classmethod
    def _generate(cls, strategy, params):
        # DealFactory(account=a) gets a pipeline of `a`, not of a new account: a deal
        # in one account on another's pipeline is data no write path makes.
        if "account" in params and "pipeline" not in params:
            params = {**params, "pipeline": PipelineFactory(account=params["account"])}
        return super()._generate(strategy, params)

    value_cents = 100_000
    currency = "USD"


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    account = factory.SubFactory(AccountFactory)
    type = Activity.Type.TASK
    subject = factory.Sequence(lambda n: f"Follow up {n}")


class NoteFactory(DjangoModelFactory):
    class Meta:
        model = Note

    account = factory.SubFactory(AccountFactory)
    body = factory.Sequence(lambda n: f"<p>Note number {n}</p>")


class CustomFieldDefinitionFactory(DjangoModelFactory):
    class Meta:
        model = CustomFieldDefinition

    account = factory.SubFactory(AccountFactory)
    record_type = "contact"
    key = factory.Sequence(lambda n: f"field{n}")
    label = factory.LazyAttribute(lambda d: d.key.title())
    type = "text"
    options = factory.LazyAttribute(lambda d: ["a", "b"] if d.type == "select" else [])
    required = False
