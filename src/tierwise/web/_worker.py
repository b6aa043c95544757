"""Work that must not run on the event loop: heavy requests in a worker with a time limit, and password hashing.

The server answers every user from one event loop; anything slow done there stops the
answers to everybody. So:

- **heavy work** (an upload's preview, an import, a draft's check, a simulation) runs in a
  small pool of worker threads (:data:`HEAVY` at once; more wait their turn). A request
  whose work does not finish within the app's time limit (``work_seconds``) is answered
  with a sentence (503). A thread cannot be stopped from outside, so work that has started
  runs on in its worker; the pool's size bounds how much of the machine that can take.
- **password hashing and checking** (Argon2: 64 MB, several threads and a fifth of a second
  each) runs in its own pool, at most :data:`HASHING` at once, so sign-ins queue instead of
  taking every core.

The threads of both pools run at a lower scheduling priority (``nice`` +:data:`NICE`, on
systems that have it; the threads Argon2 starts inherit it), so when the machine is busy the
event loop, which answers everybody, is served first: sign-ins and heavy work get slower under
load, other users' pages do not.
"""

import asyncio
import concurrent.futures
import contextlib
import functools
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["HASHING", "HEAVY", "NICE", "TooSlow", "hashing", "heavy"]

T = TypeVar("T")

HEAVY = max(1, min(4, (os.cpu_count() or 2) // 2))
HASHING = max(1, min(4, os.cpu_count() or 2))
NICE = 10


def _lower_priority() -> None:
    """Run this worker thread (and the threads it starts) after the event loop when the CPU is short."""
    with contextlib.suppress(AttributeError, OSError):  # no per-thread priority here (Windows, macOS): as it is
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


_POOL = concurrent.futures.ThreadPoolExecutor(HEAVY, "tierwise-work", initializer=_lower_priority)
_HASHERS = concurrent.futures.ThreadPoolExecutor(HASHING, "tierwise-hash", initializer=_lower_priority)


class TooSlow(Exception):
    """Heavy work did not finish within the time limit (the app answers 503 with :attr:`key`'s sentence)."""

    def __init__(self, key: str, seconds: float) -> None:
        super().__init__(key, seconds)
        self.key, self.seconds = key, seconds


async def heavy(key: str, seconds: float, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work(*args, **kwargs)`` in a worker thread; :class:`TooSlow` (naming ``key``) after ``seconds``.

    ``key`` is the catalogue key of the sentence answered when the time runs out; work not
    yet started when it does is dropped, work under way runs on in its worker.
    """
    future = _POOL.submit(functools.partial(work, *args, **kwargs))
    try:
        return await asyncio.wait_for(asyncio.wrap_future(future), timeout=seconds)
    except TimeoutError as exc:
        future.cancel()  # only stops work still waiting for a worker
        raise TooSlow(key, seconds) from exc


async def hashing(work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work`` (which hashes or checks a password) in the hashing pool, at most :data:`HASHING` at once."""
    return await asyncio.wrap_future(_HASHERS.submit(functools.partial(work, *args, **kwargs)))
