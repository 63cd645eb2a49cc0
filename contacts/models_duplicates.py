"""Likely duplicate contacts found by the account-wide scan (see
companies/models_duplicates.py for the shape every record type's pairs share)."""

from accounts.tenancy import AccountScopedQuerySet
from companies.models_duplicates import DuplicatePair, pair_constraints, pair_indexes, pair_link
from contacts.matching_keys import CONTACT_REASONS


class ContactDuplicate(DuplicatePair):
    low = pair_link("contacts.Contact", "+")
    high = pair_link("contacts.Contact", "+")

    reasons_of = CONTACT_REASONS
    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        constraints = pair_constraints("contactduplicate")
        indexes = pair_indexes("contactduplicate")

    def __str__(self):
        return f"contacts {self.low_id} and {self.high_id} ({self.score})"
