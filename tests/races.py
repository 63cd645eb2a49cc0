"""What the race tests share: requests released together by a barrier in real threads,
and the check that what two concurrent requests did equals one of their serial orders."""

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections
from rest_framework.test import APIClient

ROUNDS = 10


def together(*jobs: Callable):
    """Run the jobs in threads released at the same instant; their results in order
    (an exception is returned as the result, for the caller's assertion)."""
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


def status_codes(responses) -> list:
    """The answers' status codes, sorted; a request that raised (a 500) as its error."""
    return sorted((getattr(r, "status_code", None) or repr(r) for r in responses), key=str)


def own_client(actor) -> APIClient:
    """A client of its own for one thread, with the actor's token."""
    client = APIClient()
    client.credentials(**actor.client._credentials)
    return client


@dataclass(frozen=True)
class Outcome:
    """What a pair of requests left: their status codes, the record's final state and
    the types of the events they appended, in order."""

    codes: tuple
    state: tuple
    events: tuple


def serial_outcomes(start: tuple, steps: list[Callable]) -> list[Outcome]:
    """The outcomes of running `steps` one after the other, in each order. A step takes
    a state and answers (code, new state, event type or None)."""
    outcomes = []
    for order in ([0, 1], [1, 0]):
        state, codes, events = start, [None, None], []
        for index in order:
            code, state_after, event = steps[index](state)
            codes[index] = code
            if code == 200:
                state = state_after
                if event:
                    events.append(event)
        outcomes.append(Outcome(tuple(codes), state, tuple(events)))
    return outcomes
