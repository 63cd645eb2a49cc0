"""One row per recurring job: which run of it is queued, and when it last ran."""

from django.db import models


class Schedule(models.Model):
    """A recurring job's state. Not an account's record: jobs run for the whole
    installation (a purge walks every account).

    `ticket` is the id of the one django-tasks run allowed to do the job next. Every
    change of it is a compare-and-set (`UPDATE … WHERE ticket = <old>`) in the same
    transaction as the enqueue of the new run, so exactly one run holds it.
    """

    name = models.CharField(max_length=100, unique=True)
    every = models.DurationField()
    ticket = models.CharField(max_length=64, blank=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    running_since = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_outcome = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return self.name
