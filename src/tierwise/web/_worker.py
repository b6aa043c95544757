"""Work that must not run on the event loop: heavy requests in a worker with a time limit, and password hashing.

The server answers every user from one event loop; anything slow done there stops the
answers to everybody. So:

- **heavy work** (an upload's preview, an import, a draft's check, a simulation) runs in a
  small pool of worker threads (:data:`HEAVY` at once; more wait their turn). A request
  whose work does not finish within the app's time limit (``work_seconds``) is answered
  with a sentence (503). A thread cannot be stopped from outside, so work that has started
  runs on in its worker; the pool's size bounds how much of the machine that can take.
- **password hashing and checking** (Argon2: tens of megabytes and a fifth of a second each)
  runs in the threadpool, at most :data:`HASHING` at once, so sign-ins queue instead of
  taking every core.
"""

import asyncio
import concurrent.futures
import functools
import os
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

__all__ = ["HASHING", "HEAVY", "TooSlow", "hashing", "heavy", "limits"]

T = TypeVar("T")

HEAVY = max(1, min(4, (os.cpu_count() or 2) // 2))
HASHING = max(1, min(4, os.cpu_count() or 2))
_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=HEAVY, thread_name_prefix="tierwise-work")


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


def limits() -> weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]:
    """An app's bound on password checks at once: one semaphore per event loop that serves it."""
    return weakref.WeakKeyDictionary()


async def hashing(request: Request, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work`` (which hashes or checks a password) in the threadpool, at most :data:`HASHING` at once."""
    found: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = request.app.state.hashing
    bound = found.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(HASHING))
    async with bound:
        return await run_in_threadpool(work, *args, **kwargs)
