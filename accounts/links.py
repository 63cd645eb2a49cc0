"""The links most CRM records carry: to a contact, a company and a deal."""

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
