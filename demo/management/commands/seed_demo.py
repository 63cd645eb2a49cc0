"""`python manage.py seed_demo`: the "Northwind Traders" demo account, filled with data.

Idempotent: a second run finds the account by name, its users by username, the tags
by name and the contacts by email, so it creates nothing new and changes nothing.
The data comes from a fixed seed, so it is the same on every machine (for the Faker
version in uv.lock). A constant number of queries, whatever CONTACT_COUNT is.
"""

import datetime as dt
import random
import re
from typing import NamedTuple

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from faker import Faker

from accounts.models import Account, Membership, Tag, User
from accounts.services import UsernameTaken, account_create, membership_add
from accounts.tags import tags_replace
from activities.models import Activity
from companies.models import Company
from contacts.models import Contact, ContactTag
from customfields.models import CustomFieldDefinition
from deals.models import Deal, Pipeline, Stage
from deals.services import pipeline_create, pipeline_create_default
from notes.models import Note

ACCOUNT_NAME = "Northwind Traders"
PASSWORD = "demo"
SEED = 20261124
CONTACT_COUNT = 300
COMPANY_COUNT = 40
DEAL_COUNT = 48
SUBSIDIARY_COUNT = 10


class Person(NamedTuple):
    username: str
    first_name: str
    last_name: str
    role: str


PEOPLE = [
    Person("demo", "Dana", "Morgan", Membership.Role.OWNER),
    Person("sam", "Sam", "Patel", Membership.Role.ADMIN),
    Person("riley", "Riley", "Chen", Membership.Role.MEMBER),
]

TAGS = {
    "customer": "#16a34a",
    "lead": "#2563eb",
    "prospect": "#0ea5e9",
    "vip": "#d97706",
    "partner": "#7c3aed",
    "churn-risk": "#dc2626",
    "newsletter": "#0891b2",
    "decision-maker": "#9333ea",
    "champion": "#059669",
    "trial": "#f59e0b",
    "enterprise": "#1e40af",
    "smb": "#64748b",
}

TITLES = [
    "CEO",
    "CFO",
    "CTO",
    "COO",
    "VP of Sales",
    "VP of Marketing",
    "Head of Procurement",
    "Purchasing Manager",
    "Operations Manager",
    "Account Executive",
    "Sales Director",
    "Marketing Manager",
    "IT Director",
    "Office Manager",
    "Supply Chain Analyst",
    "Product Manager",
    "Founder",
    "Finance Manager",
    "Logistics Coordinator",
    "Buyer",
]
INDUSTRIES = [
    "Software",
    "Retail",
    "Manufacturing",
    "Logistics",
    "Healthcare",
    "Finance",
    "Food & Beverage",
    "Education",
    "Energy",
    "Media",
]
SUBSIDIARY_SUFFIXES = [
    "Europe",
    "Labs",
    "Logistics",
    "Asia Pacific",
    "Canada",
    "Digital",
    "Services",
    "Capital",
    "Health",
    "Retail",
]
SOURCES = ["webinar", "referral", "trade show", "website", "cold call", "partner", "linkedin"]

# 555-0100 to 555-0199 is reserved for fictional use in every North American area
# code, so no real person gets called, and libphonenumber accepts these as valid.
AREA_CODES = [212, 312, 415, 617, 646, 718, 202, 305, 404, 512, 206, 303, 503, 702, 713]
FICTIONAL_PHONES = [f"+1{area}555{line:04d}" for area in AREA_CODES for line in range(100, 200)]


class Command(BaseCommand):
    help = "Create (or complete) the Northwind Traders demo account. Safe to run again."

    def handle(self, *args, **options):
        with transaction.atomic():
            account, users = seed_users()
            tag_names = seed_tags(account)
            seed_custom_fields(account)
            companies = seed_companies(account, owners=users)
            created = seed_contacts(account, owners=users, tag_names=tag_names, companies=companies)
            deal_count = seed_deals(account, owners=users)
            history = seed_history(account, owners=users)
        total = Contact.objects.for_account(account).count()
        self.stdout.write(
            f"Demo account “{account.name}” (id {account.pk}): {len(users)} users, "
            f"{len(tag_names)} tags, {len(companies)} companies, {created} contacts "
            f"created, {total} in all, {deal_count} deals, {history} activities and notes."
        )
        self.stdout.write(f"Demo login: {PEOPLE[0].username} / {PASSWORD}")


def seed_users() -> tuple[Account, list[User]]:
    """The demo account and its members (PEOPLE, in order), created where missing."""
    account = Account.objects.filter(name=ACCOUNT_NAME).order_by("id").first()
    if account is None:
        owner = PEOPLE[0]
        try:
            account = account_create(
                name=ACCOUNT_NAME,
                username=owner.username,
                password=PASSWORD,
                email=f"{owner.username}@northwind.example",
                time_zone="America/New_York",
            )
        except UsernameTaken as exc:
            raise CommandError(f"{exc} The demo needs it; use a fresh database.") from exc
        User.objects.filter(username=owner.username).update(
            first_name=owner.first_name, last_name=owner.last_name
        )

    members = {user.username: user for user in User.objects.members_of(account)}
    missing = [person for person in PEOPLE if person.username not in members]
    taken = list(
        User.objects.annotate(lname=Lower("username"))
        .filter(lname__in=[person.username for person in missing])
        .values_list("username", flat=True)
    )
    if taken:
        raise CommandError(
            f"The username “{taken[0]}” is already taken by a user outside the demo "
            f"account. The demo needs it; use a fresh database."
        )
    for person in missing:  # at most len(PEOPLE) users: a query each is fine
        user = User.objects.create_user(
            username=person.username,
            password=PASSWORD,
            email=f"{person.username}@northwind.example",
            first_name=person.first_name,
            last_name=person.last_name,
        )
        membership_add(account=account, user=user, role=person.role)
        members[person.username] = user
    return account, [members[person.username] for person in PEOPLE]


def seed_tags(account: Account) -> list[str]:
    """The demo tags, with their colours; existing ones are left as they are. One query."""
    Tag.objects.for_account(account).bulk_create(
        [Tag(account=account, name=name, color=color) for name, color in TAGS.items()],
        ignore_conflicts=True,
    )
    return list(TAGS)


# The contacts' custom fields, defined so their values are typed, filterable and
# checked: the values fake_contacts() writes fit them.
CONTACT_CUSTOM_FIELDS = [
    ("source", "Source", CustomFieldDefinition.Type.SELECT, SOURCES),
    ("score", "Lead score", CustomFieldDefinition.Type.NUMBER, []),
    ("newsletter", "Newsletter", CustomFieldDefinition.Type.BOOLEAN, []),
]


def seed_custom_fields(account: Account) -> None:
    """Define the contacts' `source`, `score` and `newsletter`; existing definitions
    are left as they are. One query."""
    CustomFieldDefinition.objects.for_account(account).bulk_create(
        [
            CustomFieldDefinition(
                account=account,
                record_type=CustomFieldDefinition.RecordType.CONTACT,
                key=key,
                label=label,
                type=kind,
                options=list(options),
            )
            for key, label, kind, options in CONTACT_CUSTOM_FIELDS
        ],
        ignore_conflicts=True,
    )


def seed_companies(account: Account, *, owners: list[User]) -> dict[str, Company]:
    """COMPANY_COUNT companies keyed by domain, created where missing; the last
    SUBSIDIARY_COUNT are subsidiaries of the first ones. A constant number of queries.
    """
    generated = fake_companies(account, owners=owners)
    scoped = Company.objects.for_account(account)
    existing = set(scoped.filter(domain__in=list(generated)).values_list("domain", flat=True))
    new = [company for domain, (company, _parent) in generated.items() if domain not in existing]
    if new:
        scoped.bulk_create(new)
    by_domain = {c.domain: c for c in scoped.filter(domain__in=list(generated))}
    subsidiaries = []
    for company in new:
        parent_domain = generated[company.domain][1]
        if parent_domain:
            child = by_domain[company.domain]
            child.parent = by_domain[parent_domain]
            subsidiaries.append(child)
    if subsidiaries:
        scoped.bulk_update(subsidiaries, ["parent"])
    return by_domain


def fake_companies(account: Account, *, owners: list[User]) -> dict[str, tuple]:
    """{domain: (unsaved Company, parent's domain or None)}, the same on every run."""
    fake = Faker("en_US")
    fake.seed_instance(SEED + 1)
    rng = random.Random(SEED + 1)
    companies: dict[str, tuple] = {}
    parents = []
    while len(companies) < COMPANY_COUNT - SUBSIDIARY_COUNT:
        name = fake.company()
        domain = (
            re.sub(r"[^a-z]", "", name.lower().split(" ")[0])
            + "."
            + rng.choice(["com", "io", "co", "net"])
        )
        if domain in companies:
            continue
        company = Company(
            account=account,
            name=name,
            domain=domain,
            industry=rng.choice(INDUSTRIES),
            size=rng.choice(Company.Size.values),
            owner=rng.choice(owners),
            custom_fields={"tier": rng.choice(["gold", "silver", "bronze"])},
        )
        companies[domain] = (company, None)
        parents.append(company)
    for suffix, parent in zip(SUBSIDIARY_SUFFIXES, parents, strict=False):
        domain = f"{re.sub(r'[^a-z]', '', suffix.lower())}.{parent.domain}"
        company = Company(
            account=account,
            name=f"{parent.name} {suffix}",
            domain=domain,
            industry=parent.industry,
            size=rng.choice(Company.Size.values),
            owner=parent.owner,
            custom_fields={"tier": "subsidiary"},
        )
        companies[domain] = (company, parent.domain)
    return companies


def seed_contacts(
    account: Account,
    *,
    owners: list[User],
    tag_names: list[str],
    companies: dict[str, Company],
) -> int:
    """CONTACT_COUNT generated contacts: those whose email is not in the account yet are
    created, with 0-3 tags each. Returns how many were created.

    About eight queries: bulk paths only (on SQLite, bulk_create splits the rows into
    batches of the database's parameter limit).
    """
    generated = fake_contacts(
        account, owners=owners, tag_names=tag_names, companies=list(companies.values())
    )
    scoped = Contact.objects.for_account(account)
    emails = [contact.email for contact, _tags in generated]
    existing = set(scoped.with_emails(emails).values_list("email", flat=True))
    new = [(contact, tags) for contact, tags in generated if contact.email not in existing]
    if not new:
        return 0
    scoped.bulk_create([contact for contact, _tags in new])
    # Read the ids back by email: bulk_create sets them only where the database
    # supports RETURNING.
    new_emails = [contact.email for contact, _tags in new]
    ids = dict(scoped.with_emails(new_emails).values_list("email", "id"))
    tags_replace(
        account=account,
        through=ContactTag,
        field="contact",
        names_by_object={ids[contact.email]: tags for contact, tags in new if tags},
    )
    return len(new)


def fake_contacts(
    account: Account, *, owners: list[User], tag_names: list[str], companies: list[Company]
) -> list[tuple[Contact, list[str]]]:
    """The same CONTACT_COUNT unsaved contacts, with their tag names, on every run.

    Emails are unique, phones are unique, valid US numbers (one contact in ten has
    none). Most work at one of `companies`, with an email at its domain. No query.
    """
    fake = Faker("en_US")
    fake.seed_instance(SEED)
    rng = random.Random(SEED)
    companies = sorted(companies, key=lambda c: c.domain)
    free_mail = ["gmail.com", "outlook.com", "yahoo.com"]
    phones = iter(rng.sample(FICTIONAL_PHONES, CONTACT_COUNT))
    emails: set[str] = set()
    contacts = []
    for _ in range(CONTACT_COUNT):
        first_name, last_name = fake.first_name(), fake.last_name()
        company = rng.choice(companies) if rng.random() < 0.85 else None
        domain = company.domain if company else rng.choice(free_mail)
        email = _unique_email(first_name, last_name, domain, emails)
        phone = next(phones)
        contact = Contact(
            account=account,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone if rng.random() < 0.9 else "",
            title=rng.choice(TITLES),
            company=company,
            owner=rng.choice(owners),
            custom_fields={
                "source": rng.choice(SOURCES),
                "score": rng.randint(1, 100),
                "newsletter": rng.random() < 0.4,
            },
        )
        tags = rng.sample(tag_names, k=rng.choice([0, 1, 1, 2, 2, 3]))
        contacts.append((contact, tags))
    return contacts


def _unique_email(first_name: str, last_name: str, domain: str, taken: set[str]) -> str:
    local = ".".join(re.sub(r"[^a-z]", "", name.lower()) for name in (first_name, last_name))
    email, n = f"{local}@{domain}", 1
    while email in taken:
        n += 1
        email = f"{local}{n}@{domain}"
    taken.add(email)
    return email


DEAL_PRODUCTS = [
    "Annual licence",
    "Pilot",
    "Onboarding package",
    "Support renewal",
    "Expansion",
    "Data migration",
    "Training day",
    "Enterprise plan",
    "Integration work",
    "Hardware refresh",
    "Consulting retainer",
    "Upgrade",
]
LOST_REASONS = ["Went with a competitor", "No budget this year", "Timing", "Price"]


def seed_deals(account: Account, *, owners: list[User]) -> int:
    """The Sales pipeline (and a Partnerships one) with DEAL_COUNT deals across stages,
    statuses and two currencies, created where missing (by title). Returns how many
    deals the account has. A constant number of queries."""
    pipelines = Pipeline.objects.for_account(account)
    sales = pipelines.filter(name="Sales").first() or pipeline_create_default(account=account)
    partners = pipelines.filter(name="Partnerships").first() or pipeline_create(
        account=account,
        name="Partnerships",
        stages=[
            {"name": "Intro", "probability": 15},
            {"name": "Pilot", "probability": 40},
            {"name": "Contract", "probability": 80},
        ],
    )
    stages = list(Stage.objects.for_account(account).filter(pipeline__in=[sales, partners]))
    by_pipeline = {p.pk: [s for s in stages if s.pipeline_id == p.pk] for p in (sales, partners)}
    companies = list(Company.objects.for_account(account).order_by("domain"))
    contacts = list(
        Contact.objects.for_account(account).filter(company__isnull=False).order_by("email")
    )
    scoped = Deal.objects.for_account(account)
    existing = set(scoped.values_list("title", flat=True))
    rng = random.Random(SEED + 2)
    today = timezone.localdate()
    new = []
    for i in range(DEAL_COUNT):
        company = companies[i % len(companies)]
        title = f"{company.name} – {DEAL_PRODUCTS[i % len(DEAL_PRODUCTS)]}"
        pipeline = partners if i % 6 == 5 else sales
        stage = rng.choice(by_pipeline[pipeline.pk])
        status = rng.choices(["open", "won", "lost", "abandoned"], [12, 4, 3, 1])[0]
        people = [c for c in contacts if c.company_id == company.pk]
        deal = Deal(
            account=account,
            title=title,
            pipeline=pipeline,
            stage=stage,
            value_cents=rng.randrange(5, 400) * 100_000 // 10,
            currency="EUR" if i % 4 == 3 else "USD",
            probability=rng.choice([None, None, None, 35, 60, 90]),
            status=status,
            expected_close_date=today + dt.timedelta(days=rng.randint(-30, 120)),
            company=company,
            contact=people[0] if people else None,
            owner=rng.choice(owners),
        )
        if status != "open":
            deal.closed_at = timezone.now() - dt.timedelta(days=rng.randint(0, 60))
            deal.lost_reason = rng.choice(LOST_REASONS) if status == "lost" else ""
        if title not in existing:
            new.append(deal)
            existing.add(title)
    scoped.bulk_create(new)
    return scoped.count()


EMAIL_SUBJECTS = [
    "Re: pricing for next year",
    "Proposal attached",
    "Quick question on the pilot",
    "Follow-up from our call",
    "Contract redlines",
    "Intro: our new CFO",
]
CALL_NOTES = [
    "Discussed rollout timing; they want a phased start.",
    "Budget approved in principle; procurement next.",
    "Left a voicemail, will try again Thursday.",
    "Walked through the integration plan with their IT lead.",
]
TASKS = [
    "Send the updated quote",
    "Book a demo with the ops team",
    "Chase the signed order form",
    "Prepare the QBR deck",
    "Share case studies",
    "Confirm onboarding dates",
]
MEETINGS = ["Discovery meeting", "Quarterly business review", "On-site demo", "Pricing workshop"]


def seed_history(account: Account, *, owners: list[User]) -> int:
    """Past calls and meetings, overdue and upcoming tasks, logged emails and call notes
    on the first contacts with a company and their deals. Only when the account has no
    activities yet (so a second run adds nothing). Returns how many rows exist."""
    activities = Activity.objects.for_account(account)
    notes = Note.objects.for_account(account)
    if not activities.exists():
        rng = random.Random(SEED + 3)
        now = timezone.now()
        contacts = list(
            Contact.objects.for_account(account)
            .filter(company__isnull=False)
            .order_by("email")[:80]
        )
        deal_by_company = {
            d.company_id: d for d in Deal.objects.for_account(account).filter(status="open")
        }
        new_activities, new_notes = [], []
        for i, contact in enumerate(contacts):
            deal = deal_by_company.get(contact.company_id)
            owner = rng.choice(owners)
            links = {
                "account": account,
                "contact": contact,
                "company_id": contact.company_id,
                "deal": deal,
            }
            when = now - dt.timedelta(days=rng.randint(2, 40), hours=rng.randint(0, 8))
            new_activities.append(
                Activity(
                    **links,
                    owner=owner,
                    type=rng.choice(["call", "meeting"]),
                    subject=rng.choice(MEETINGS),
                    due_at=when,
                    status="completed",
                    completed_at=when + dt.timedelta(minutes=45),
                )
            )
            due = now + dt.timedelta(days=rng.randint(-6, 14), hours=rng.randint(1, 6))
            new_activities.append(
                Activity(
                    **links,
                    owner=owner,
                    type="task",
                    subject=rng.choice(TASKS),
                    due_at=due,
                    status="in_progress" if i % 7 == 0 else "pending",
                )
            )
            new_notes.append(
                Note(
                    **links,
                    author=owner,
                    kind="email",
                    direction=rng.choice(["inbound", "outbound"]),
                    occurred_at=when - dt.timedelta(days=1),
                    body=f"<p><b>{rng.choice(EMAIL_SUBJECTS)}</b></p>"
                    f"<p>Hi {contact.first_name}, thanks for the time this week.</p>",
                )
            )
            new_notes.append(
                Note(
                    **links,
                    author=owner,
                    kind="call",
                    direction="outbound",
                    occurred_at=when,
                    body=f"<p>{rng.choice(CALL_NOTES)}</p>",
                )
            )
        activities.bulk_create(new_activities)
        notes.bulk_create(new_notes)  # sanitised like save() (NoteQuerySet.bulk_create)
    return activities.count() + notes.count()
