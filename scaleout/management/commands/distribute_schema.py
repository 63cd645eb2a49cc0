"""manage.py distribute_schema: after `migrate`, distribute the schema on Citus.

Does nothing on a database without the citus extension (plain PostgreSQL, SQLite),
so it is safe to run anywhere; on Citus it is idempotent (run it again after a
migration adds tables). What becomes what, and why: scaleout/distribution.py.
"""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections

from scaleout import nodes
from scaleout.distribution import distribute


class Command(BaseCommand):
    help = "Distribute the tables by account_id on a Citus database (no-op elsewhere)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, database, verbosity, **options):
        connection = connections[database]
        if not nodes.has_extension(connection):
            if verbosity:
                self.stdout.write("distribute_schema: not a Citus database, nothing to do")
            return
        log = self.stdout.write if verbosity > 1 else (lambda line: None)
        plan = distribute(connection, log=log)
        if verbosity:
            self.stdout.write(
                f"distribute_schema: {len(plan.distributed)} distributed tables, "
                f"{len(plan.reference)} reference tables, {len(plan.local)} local"
            )
