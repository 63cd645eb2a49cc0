from django.core.management.base import BaseCommand

from schedules.recurring import ensure_schedules


class Command(BaseCommand):
    help = (
        "Queue the next run of every recurring job that has none (safe to repeat; "
        "`migrate` does it too)."
    )

    def handle(self, *args, **options):
        queued = ensure_schedules()
        self.stdout.write(f"Queued: {', '.join(queued) or 'nothing, all were queued'}")
