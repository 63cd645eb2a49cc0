"""A big account onto shards of its own, online (writes go on while it is copied).

Citus's own `isolate_tenant_to_new_shard(..., shard_transfer_mode => 'auto')` stalls
under writes on Citus 12.1 (upstream issue citusdata/citus#6790): it places the new
shards on the node of the old one, and there a new shard gets its primary key only
after the replication slot exists. An UPDATE or DELETE made in between (every contact
created updates the account's row counter) is decoded with the new shard still
keyless, so the relation is announced without a replica identity, the subscriber
refuses it ("publisher did not send replica identity column expected by the logical
replication target relation") and retries the same change for ever. No table setting
helps (REPLICA IDENTITY FULL fails the same way): the new shards are created bare.

When the new shards go to another node, Citus first makes "dummy" copies of them on
the old node *with* their replica identity, before the slot: so the same split, done
with `citus_split_shard_by_split_points` and every piece on another node, finishes
under load. The split points are the ones `isolate_tenant_to_new_shard` uses: the
account's hash alone in the middle piece.
"""

from __future__ import annotations

ANCHOR_TABLE = "contacts_contact"


class IsolationError(Exception):
    pass


def isolate_account(cursor, account_id: int, *, node_id: int | None = None) -> int:
    """Split the account's shard group (every co-located table) online so the account
    alone is in the middle pieces, all placed on worker `node_id` (default: the worker
    with the fewest shards other than the account's own). Returns the account's new
    `contacts_contact` shard id. Runs outside a transaction; takes as long as copying
    the shard group."""
    cursor.execute(
        "SELECT s.shardid, s.shardminvalue::int, s.shardmaxvalue::int, n.nodeid "
        "FROM pg_dist_shard s JOIN pg_dist_placement p USING (shardid) "
        "JOIN pg_dist_node n USING (groupid) "
        "WHERE s.shardid = get_shard_id_for_distribution_column(%s, %s::bigint)",
        [ANCHOR_TABLE, account_id],
    )
    shard, low, high, source = cursor.fetchone()
    cursor.execute("SELECT worker_hash(%s::bigint)", [account_id])
    (hashed,) = cursor.fetchone()
    # [low, h-1], [h, h], [h+1, high]: fewer pieces at the edges of the range.
    points = [p for p in (hashed - 1, hashed) if low <= p < high]
    if not points:
        return shard  # the shard holds this hash alone already
    if node_id is None:
        node_id = _least_loaded_other_worker(cursor, source)
    if node_id == source:
        raise IsolationError("the new shards must go to another node than the old one")
    cursor.execute(
        "SELECT citus_split_shard_by_split_points(%s, %s::text[], %s::int[], 'auto')",
        [shard, [str(p) for p in points], [node_id] * (len(points) + 1)],
    )
    cursor.execute(
        "SELECT get_shard_id_for_distribution_column(%s, %s::bigint)",
        [ANCHOR_TABLE, account_id],
    )
    return cursor.fetchone()[0]


def _least_loaded_other_worker(cursor, source: int) -> int:
    cursor.execute(
        "SELECT n.nodeid FROM pg_dist_node n "
        "LEFT JOIN pg_dist_placement p ON p.groupid = n.groupid "
        "WHERE n.nodeid <> %s AND n.groupid <> 0 AND n.shouldhaveshards "
        "AND n.isactive AND n.noderole = 'primary' "
        "GROUP BY n.nodeid ORDER BY count(p.shardid), n.nodeid LIMIT 1",
        [source],
    )
    row = cursor.fetchone()
    if row is None:
        raise IsolationError(
            "an online isolation needs a second worker (the new shards cannot stay on "
            "the old one's node); add a node or use shard_transfer_mode 'block_writes'"
        )
    return row[0]
