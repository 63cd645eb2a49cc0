"""Signals that let higher apps react to account events without accounts importing them."""

from django.dispatch import Signal

# Sent by accounts.services.account_create once the account and its owner exist, inside
# the same transaction; receivers set up their defaults (deals: the "Sales" pipeline).
account_created = Signal()  # kwargs: account, owner

# Sent by accounts.services.tags_merge inside its transaction, after the records' tag
# links changed; receivers record the change (events: each record's `<type>.updated`).
# `changes`: {tagged model: {record id: (tag names before, tag names after)}}, names
# sorted; `by`: the acting user; `via`: the face (an events Source value).
tags_merged = Signal()  # kwargs: account_id, by, via, changes
