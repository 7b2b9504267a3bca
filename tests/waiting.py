"""Waiting on a condition, never on the clock: the one polling helper of the suite."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T], *, timeout: float = 30.0, interval: float = 0.05, what: str = ""
) -> T:
    """Return the first truthy value of ``predicate()``; fail after ``timeout`` seconds.

    The deadline is generous (CI machines are small and busy); a condition that holds returns
    at once, so the wait costs only as long as the thing it waits for.
    """
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or predicate}")
        pause.wait(interval)
