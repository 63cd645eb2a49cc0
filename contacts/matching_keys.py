"""What makes two contacts look like one: the keys stored on each row for finding
duplicates (contacts/duplicates.py), computed here and nowhere else.

- `name_key`: the full name without case, accents or extra spaces
  ("José  Núñez" → "jose nunez"), lib/name_keys.py.
- `email_domain`: what follows the last "@" of the (lower-case) email, "" without one.
- The phone needs no key: it is stored in E.164 already (contacts/phones.py).
"""

from __future__ import annotations

from lib.duplicate_reasons import Reasons
from lib.name_keys import fold

# The contract's reasons for contacts and their scores (lib/duplicate_reasons.py). A
# full name alone is weak (people share names); with the email's domain or the
# company it is strong; a shared phone number is nearly proof.
CONTACT_REASONS = Reasons(
    {"phone": 90, "name_and_email_domain": 85, "name_and_company": 80, "name": 50}
)


def contact_name_key(first_name: str | None, last_name: str | None) -> str:
    return fold(f"{first_name or ''} {last_name or ''}")


def email_domain(email: str | None) -> str:
    local, at, domain = (email or "").strip().lower().rpartition("@")
    return domain if at and local else ""


# PostgreSQL folds a name of printable ASCII (no accents, no tabs) exactly as
# `contact_name_key` does; one UPDATE a range of ids writes those (nearly every row
# of a real account, every row of the benchmark's), Python the others.
_PRINTABLE_ASCII = "(first_name || last_name) ~ '^[ -~]*$'"
_SQL_KEYS = """
    UPDATE contacts_contact
    SET name_key = lower(btrim(regexp_replace(first_name || ' ' || last_name, ' +', ' ', 'g'))),
        email_domain = CASE WHEN email ~ '.@' THEN substring(email from '@([^@]*)$') ELSE '' END
    WHERE id >= %s AND id < %s AND {where}
"""
SQL_BATCH = 100_000


def backfill_contact_keys(connection, *, account_id: int | None = None) -> None:
    """Set `name_key` and `email_domain` of every contact (of one account, when given)
    from its name and email: migrations and the benchmark's generator, which write
    rows in SQL. About 10 s a million rows on PostgreSQL."""
    from lib.key_backfill import backfill_keys

    only_where = ""
    if connection.vendor == "postgresql":
        where = _PRINTABLE_ASCII
        if account_id is not None:
            where += f" AND account_id = {int(account_id)}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(id), max(id) FROM contacts_contact")
            low, high = cursor.fetchone()
            for start in range(low or 0, (high or 0) + 1, SQL_BATCH):
                cursor.execute(_SQL_KEYS.format(where=where), [start, start + SQL_BATCH])
        only_where = f"NOT {_PRINTABLE_ASCII}"
    backfill_keys(
        connection,
        table="contacts_contact",
        sources=("first_name", "last_name", "email"),
        keys=("name_key", "email_domain"),
        compute=lambda first, last, email: (
            contact_name_key(first, last)[:201],
            email_domain(email)[:254],
        ),
        account_id=account_id,
        only_where=only_where,
    )
