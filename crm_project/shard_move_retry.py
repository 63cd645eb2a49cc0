"""A safe request (GET, HEAD, OPTIONS) run once more when a Citus shard move or split
switched the shard metadata under it.

Citus moves or splits a shard online, then switches the metadata in one short step:
the old shard's rows in pg_dist_shard go, the new shards' come. A statement (or a
transaction) that began before the switch can still hold the old shard id: a query
that picked the old shard just before the switch looks it up again just after it, in
metadata reloaded without it, and the coordinator answers "could not find valid
entry for shard <id>" (or "... shard placement <id>"); a query already sent to the old
shard can find its table gone on the worker (`relation "<table>_<id>" does not exist`,
"while executing command on <worker>"); see citusdata/citus#6029 and #6360. Run again
from the start, in a new transaction, the request plans with the new metadata and
succeeds. `make citus-bench` lost 1 read of about 1,400 to this while it isolated the
big account online.

Only safe methods are retried, and only once: a write must never run twice (a write
that met the switch rolled back and answers its error as before), and a second failure
is answered as any error is. Nothing else is retried. The middleware is the last of
MIDDLEWARE, so the retry re-runs the view (with the atomic blocks it opens, and
ATOMIC_REQUESTS' if that were set) and the rendering of its template; the session,
authentication and CSRF steps around it ran once and are kept. A request still
inside a transaction when the error reaches here (one opened around the view) is not
retried: it could not start again from that transaction's beginning.
"""

import logging
import re

from django.db import DatabaseError, connections
from django.http import HttpResponse

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A shard's table is its table's name and the shard id: "contacts_contact_102008".
_SHARD_TABLE_GONE = re.compile(r'relation "[^"]+_\d+" does not exist')


def is_shard_switch_error(exc: BaseException) -> bool:
    """Whether `exc` is the database's error of a statement that met a shard move's
    or split's metadata switch, and nothing else."""
    if not isinstance(exc, DatabaseError):
        return False
    diag = getattr(exc.__cause__, "diag", None)  # psycopg's fields of the server's error
    message = (diag and diag.message_primary) or str(exc)
    if message.startswith("could not find valid entry for shard "):
        return True
    # Only from a worker (the coordinator relays the error with this context).
    context = (diag and diag.context) or ""
    return bool(_SHARD_TABLE_GONE.fullmatch(message)) and "while executing command on" in context


def _outside_transactions() -> bool:
    """Whether no transaction is open, so a retry starts in a new one. Inside one (a
    test's, or one opened around the view) the failed statement's effects, or the
    transaction's abort, would stay."""
    return not any(
        conn.connection is not None and (conn.in_atomic_block or not conn.get_autocommit())
        for conn in connections.all(initialized_only=True)
    )


class RetrySafeRequestOnShardMoveMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "retry_after_shard_switch", False):
            response = self.get_response(request)
        return response

    def process_exception(self, request, exception):
        """Called with the exception of the view or of its rendering, after the view's
        atomic block (if any) rolled back. Answers a placeholder that `__call__`
        replaces with the retry's response, so the first failure is neither rendered
        as a 500 nor logged as one."""
        if (
            request.method not in SAFE_METHODS
            or getattr(request, "_retried_after_shard_switch", False)
            or not is_shard_switch_error(exception)
            or not _outside_transactions()
        ):
            return None
        request._retried_after_shard_switch = True
        logger.warning(
            "%s %s met a Citus shard switch, retrying it once: %s",
            request.method,
            request.path,
            str(exception).splitlines()[0],
        )
        placeholder = HttpResponse(status=503)
        placeholder.retry_after_shard_switch = True
        return placeholder
