"""The largest file an upload form of the web app accepts, and how pages say it.

crm_project/middleware.py answers 413 before any view runs when a multipart body is
larger than `settings.MAX_UPLOAD_BYTES`; a form that states and checks its own limit
uses the smaller of the two, so the limit the page states is the one that applies.
"""

from django.conf import settings

FORM_OVERHEAD_BYTES = 16 * 1024  # room for the form's other parts


def upload_limit(own_limit: int) -> int:
    """`own_limit`, or less when the site refuses request bodies that large."""
    body_limit = settings.MAX_UPLOAD_BYTES
    if body_limit is None:
        return own_limit
    return min(own_limit, body_limit - FORM_OVERHEAD_BYTES)


def megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0") + " MB"
