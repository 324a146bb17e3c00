"""Real threads racing on committed data, for the concurrency tests: each thread has its own database connection and
reads English messages, and the threads are released together from a barrier.

The tests keep their own lockstep gates (barriers inside the services, patched in for the "in lockstep" runs) and
pass them as ``gates``, so that a thread that fails breaks them and nobody waits for it in vain.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection
from django.utils import translation

START_TIMEOUT = 30  # seconds a thread waits at the start line for the others
JOIN_TIMEOUT = 120  # seconds a race may take before a thread is said to hang


def _nothing(_i: int) -> None:
    return None


def race(
    work: Callable[[int, Any], Any],
    prepare: Callable[[int], Any] = _nothing,
    *,
    threads: int,
    gates: Sequence[threading.Barrier] = (),
) -> list[Any]:
    """Run ``work(i, prepare(i))`` in ``threads`` threads released together, and return each one's result, or the
    exception it raised, by ``i``.

    ``prepare`` runs before the start line: each thread's own reads, on its own connection. When a thread fails, the
    start barrier and the ``gates`` (read at that moment, so a live list of the gates in force will do) are broken if
    anyone waits at them. Each thread activates English (a new thread starts in the default language, and the tests
    read English messages) and closes its database connection when done.
    """
    start = threading.Barrier(threads)
    outcomes: list[Any] = [None] * threads

    def run(i: int) -> None:
        translation.activate("en")
        try:
            prepared = prepare(i)
            start.wait(timeout=START_TIMEOUT)
            outcomes[i] = work(i, prepared)
        except Exception as error:
            outcomes[i] = error
            for gate in [start, *gates]:
                if gate.n_waiting:
                    gate.abort()
        finally:
            translation.deactivate()
            connection.close()

    racers = [threading.Thread(target=run, args=(i,), name=f"racer-{i}") for i in range(threads)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=JOIN_TIMEOUT)
    assert not any(racer.is_alive() for racer in racers), "a racing thread hangs"
    return outcomes
