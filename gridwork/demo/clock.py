"""The demo's simulated clock: the services stamp what they write with ``timezone.now()``; a demo that tells a
believable past (``demo_volunteering``, ``demo_cobuild``) takes each step with the clock set to that step's moment.

It sets the process's clock: for a management command, never a serving process.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """For one step, ``django.utils.timezone.now`` (which the services, ``auto_now`` fields and ``localdate`` read)
    answers ``moment``."""
    real = timezone.now
    setattr(timezone, "now", lambda: moment)  # noqa: B010 — mypy refuses assigning to a module's function
    try:
        yield
    finally:
        setattr(timezone, "now", real)  # noqa: B010
