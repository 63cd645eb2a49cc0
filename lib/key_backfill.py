"""Filling derived key columns (lib/derived_fields.py) of rows written before the
keys existed, or written in SQL (the benchmark's generator): batches of rows in id
order, keys computed in Python by the same functions `save()` uses, and one
`executemany` UPDATE a batch (pipelined by psycopg). Used by migrations, so it reads
and writes through the connection, not the models of the day."""

from __future__ import annotations

from collections.abc import Callable, Sequence

BATCH = 5000


def backfill_keys(
    connection,
    *,
    table: str,
    sources: Sequence[str],
    keys: Sequence[str],
    compute: Callable[..., tuple],
    account_id: int | None = None,
    only_where: str = "",
) -> int:
    """Set `keys` of every row of `table` (of one account, when given) matching the SQL
    condition `only_where`, to `compute(*sources)`. Returns how many rows it wrote."""
    quote = connection.ops.quote_name
    conditions = ["id > %s"]
    if account_id is not None:
        conditions.append(f"account_id = {int(account_id)}")
    if only_where:
        conditions.append(f"({only_where})")
    select = (
        f"SELECT account_id, id, {', '.join(map(quote, sources))} FROM {quote(table)} "
        f"WHERE {' AND '.join(conditions)} ORDER BY id LIMIT {BATCH}"
    )
    assignments = ", ".join(f"{quote(key)} = %s" for key in keys)
    # By account too: on Citus that reaches the row's shard alone.
    update = f"UPDATE {quote(table)} SET {assignments} WHERE account_id = %s AND id = %s"
    written, last = 0, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(select, [last])
            rows = cursor.fetchall()
            if not rows:
                return written
            cursor.executemany(
                update, [(*compute(*values), account, pk) for account, pk, *values in rows]
            )
            written += len(rows)
            last = rows[-1][1]
