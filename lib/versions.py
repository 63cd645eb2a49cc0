"""A record's version: what an ETag (API) and an edit form's hidden field (web app)
carry, so a write can refuse to land on a record that changed since it was read.

Every write bumps `updated_at` (services do, also for conditional `update()`s), so
its microseconds name the version. Two writes of one record in the same microsecond
would share one, which a request cycle cannot produce.
"""

import datetime as dt


def version_of(record) -> str:
    """The version of a row with `updated_at`, as a short string of digits."""
    return version_of_moment(record.updated_at)


def version_of_moment(updated_at: dt.datetime) -> str:
    return str(int(updated_at.timestamp() * 1_000_000))


def etag_of(record) -> str:
    """The strong ETag of a record's representation (RFC 9110): quoted, and distinct
    per record type and id, so an ETag of one record never matches another's."""
    return f'"{record._meta.model_name}-{record.pk}-{version_of(record)}"'
