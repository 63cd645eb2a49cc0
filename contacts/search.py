"""How contacts are searched: names, and the email split at @ and dots."""

from django.contrib.postgres.search import SearchVector
from django.db.models import Value
from django.db.models.functions import Replace

from lib.search import PrefixSearch

SEARCH_VECTOR = SearchVector(
    "first_name",
    "last_name",
    Replace(Replace("email", Value("@"), Value(" ")), Value("."), Value(" ")),
    config="simple",
)

CONTACT_SEARCH = PrefixSearch(vector=SEARCH_VECTOR, fields=("first_name", "last_name", "email"))
