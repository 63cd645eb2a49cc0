"""Companies: the organisations an account sells to, in a hierarchy."""

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import Count, F, FilteredRelation, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower, Replace

from accounts.models import Tag
from accounts.tags import TaggedQuerySet
from accounts.tenancy import AccountOwned
from companies.domains import InvalidDomain, normalise_domain
from companies.matching_keys import company_name_key, domain_root
from events.loaded_values import KeepsLoadedValues
from lib.custom_fields import validate_custom_fields
from lib.derived_fields import DerivedFields, DerivedFieldsQuerySet
from lib.json_indexes import CustomFieldsIndex
from lib.links import owner_link
from lib.search import PrefixIndex, PrefixSearch, SearchIndex, typed_text

SEARCH_VECTOR = SearchVector("name", Replace("domain", Value("."), Value(" ")), config="simple")
COMPANY_SEARCH = PrefixSearch(vector=SEARCH_VECTOR, fields=("name", "domain"))
# What a picker (web/pickers/) matches as the user types: the name, then the domain.
PICKER_KEYS = {
    "name_prefix": (Lower("name"), typed_text),
    "domain_prefix": (Lower("domain"), typed_text),
}


class CompanyQuerySet(DerivedFieldsQuerySet, TaggedQuerySet):
    def search(self, text: str):
        """Companies whose name or domain match every word of `text` as a prefix."""
        return COMPANY_SEARCH.filter(self, text)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def with_contact_count(self):
        """Annotate `contact_count`: one correlated count per row returned (so per page,
        not per company of the account), joined on (account_id, company_id)."""
        # The account itself when known: on Citus a subquery correlated only by
        # account_id reaches every shard.
        account = self.pinned_account() or OuterRef("account_id")
        per_company = (
            Company.objects.filter(pk=OuterRef("pk"), account_id=account)
            .alias(
                own_contacts=FilteredRelation(
                    "contacts", condition=Q(contacts__account_id=F("account_id"))
                )
            )
            .values("pk")
            .annotate(n=Count("own_contacts"))
            .values("n")
        )
        return self.annotate(contact_count=Coalesce(Subquery(per_company), 0))


class Company(KeepsLoadedValues, DerivedFields, AccountOwned):
    class Size(models.TextChoices):
        XS = "1-10", "1-10"
        S = "11-50", "11-50"
        M = "51-200", "51-200"
        L = "201-500", "201-500"
        XL = "501-1000", "501-1000"
        XXL = "1001-5000", "1001-5000"
        XXXL = "5001+", "5001+"

    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=253, blank=True, default="")
    industry = models.CharField(max_length=100, blank=True, default="")
    size = models.CharField(max_length=10, choices=Size.choices, blank=True, default="")
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        db_index=False,
    )
    owner = owner_link()
    custom_fields = models.JSONField(default=dict, blank=True, validators=[validate_custom_fields])
    tags = models.ManyToManyField(Tag, through="CompanyTag", related_name="companies", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Kept in step with the fields they come from on every write (lib/derived_fields.py),
    # for finding duplicates through an index (companies/duplicates.py).
    name_key = models.CharField(
        max_length=200, blank=True, default="", db_default="", editable=False
    )
    domain_root = models.CharField(
        max_length=253, blank=True, default="", db_default="", editable=False
    )

    derived_fields = {"name_key": ("name",), "domain_root": ("domain",)}

    objects = CompanyQuerySet.as_manager()
    row_counted = True  # lists read count() from accounts.RowCount
    custom_values_indexed = True  # counts by a value read accounts.CustomValue

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                fields=["account", "domain"],
                condition=~Q(domain=""),
                name="company_unique_domain",
                violation_error_message="A company with this domain already exists.",
                violation_error_code="unique_domain",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "name", "id"], name="company_by_name"),
            models.Index(fields=["account", "created_at"], name="company_by_created"),
            models.Index(fields=["account", "updated_at"], name="company_by_updated"),
            models.Index(fields=["account", "parent"], name="company_by_parent"),
            models.Index(fields=["account", "owner"], name="company_by_owner"),
            models.Index(fields=["account", "industry"], name="company_by_industry"),
            # The CSV import finds companies by name or domain in any case.
            models.Index(F("account"), Lower("name"), name="company_by_lower_name"),
            models.Index(F("account"), Lower("domain"), name="company_by_lower_domain"),
            # Duplicates: one record's look-alikes, and the account-wide scan.
            models.Index(
                fields=["account", "name_key"],
                condition=~Q(name_key=""),
                name="company_by_name_key",
            ),
            models.Index(
                fields=["account", "domain_root"],
                condition=~Q(domain_root=""),
                name="company_by_domain_root",
            ),
            # Search (lib/search.py): PostgreSQL only; needs the btree_gin extension.
            SearchIndex(F("account"), SEARCH_VECTOR, name="company_search"),
            # The picker's keystrokes (PICKER_KEYS), PostgreSQL only.
            *(
                PrefixIndex(F("account"), key, name=f"company_{alias}")
                for alias, (key, _fold) in PICKER_KEYS.items()
            ),
            # cf_<key>= filters (customfields/filtering.py): PostgreSQL only.
            CustomFieldsIndex(name="company_custom_fields"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            self.domain = normalise_domain(self.domain)
        except InvalidDomain as exc:
            raise ValidationError({"domain": str(exc)}) from exc
        if self.parent_id is not None and self.would_be_own_ancestor(self.parent_id):
            raise ValidationError({"parent": "A company cannot be its own ancestor."})

    def derive_fields(self) -> None:
        self.name_key = company_name_key(self.name)[:200]
        self.domain_root = domain_root(self.domain)[:253]

    def would_be_own_ancestor(self, parent_id: int) -> bool:
        """True if making `parent_id` this company's parent would close a cycle.

        One query: a recursive walk up from the proposed parent, within the account
        (UNION, not UNION ALL, so even a corrupt existing cycle terminates).
        """
        if self.pk is None:
            return False
        if parent_id == self.pk:
            return True
        table = connection.ops.quote_name(self._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH RECURSIVE ancestors(id, parent_id) AS (
                    SELECT id, parent_id FROM {table} WHERE account_id = %s AND id = %s
                    UNION
                    SELECT c.id, c.parent_id FROM {table} c
                    JOIN ancestors a ON c.id = a.parent_id
                    WHERE c.account_id = %s
                )
                SELECT 1 FROM ancestors WHERE id = %s LIMIT 1
                """,
                [self.account_id, parent_id, self.account_id, self.pk],
            )
            return cursor.fetchone() is not None


class CompanyTag(AccountOwned):
    """A tag on a company."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="tag_links", db_index=False
    )
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="company_links", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "company", "tag"], name="companytag_unique"),
        ]
        indexes = [models.Index(fields=["account", "tag"], name="companytag_by_tag")]

    def __str__(self):
        return f"{self.tag} on {self.company}"


from companies.models_duplicates import (  # noqa: E402,F401  (re-exported)
    CompanyDuplicate,
    DuplicateScan,
)
