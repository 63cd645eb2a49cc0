"""Signals that let higher apps react to account events without accounts importing them."""

from django.dispatch import Signal

# Sent by accounts.services.account_create once the account and its owner exist, inside
# the same transaction; receivers set up their defaults (deals: the "Sales" pipeline).
account_created = Signal()  # kwargs: account, owner
