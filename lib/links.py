"""The links most CRM records carry: to a contact, a company and a deal."""

from django.conf import settings
from django.db import models


def link_to(model: str, related_name: str) -> models.ForeignKey:
    """An optional link that survives the linked record's deletion (it becomes null)."""
    return models.ForeignKey(
        model,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        db_index=False,  # indexes lead with account (see each model's Meta)
    )


def owner_link() -> models.ForeignKey:
    """The member responsible for a record; kept (as null) if the user is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # indexes lead with account (see each model's Meta)
    )
