"""Two (or more) requests released at the same instant, for the race tests."""

import threading

from django.db import connections
from rest_framework.test import APIClient


def together(*jobs):
    """Run the jobs in threads released together by a barrier; their results in order
    (an exception a job raised stands in its place)."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as exc:  # reported by the caller's assertion
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def own_client(actor) -> APIClient:
    """A client of its own for one thread, with the actor's token."""
    client = APIClient()
    client.credentials(**actor.client._credentials)
    return client
