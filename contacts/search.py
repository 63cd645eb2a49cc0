"""How contacts are searched: names, and the email split at @ and dots."""

from django.contrib.postgres.search import SearchVector
from django.db.models import F, Value
from django.db.models.functions import Concat, Lower, Replace

from lib.name_keys import fold
from lib.search import PrefixSearch, typed_text

SEARCH_VECTOR = SearchVector(
    "first_name",
    "last_name",
    Replace(Replace("email", Value("@"), Value(" ")), Value("."), Value(" ")),
    config="simple",
)

CONTACT_SEARCH = PrefixSearch(vector=SEARCH_VECTOR, fields=("first_name", "last_name", "email"))


# What a picker (web/pickers/) matches as the user types, in this order, each key a
# `PrefixIndex` of the model: the full name from the first name ("ann l": the folded
# `name_key`), from the last name ("lee a"), then the email ("ann.lee@").
PICKER_KEYS = {
    "name_prefix": (F("name_key"), fold),
    "surname_prefix": (Lower(Concat("last_name", Value(" "), "first_name")), typed_text),
    "email_prefix": (F("email"), typed_text),
}
