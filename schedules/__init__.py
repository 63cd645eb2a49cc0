"""Recurring background jobs on django-tasks, which has no scheduler of its own.

See `schedules.recurring` for how exactly one run of each job stays queued.
"""
