"""Run the ``tierwise`` command and SIGKILL it at a chosen point inside its write transaction.

``python tests/_crash.py KILL_AT COUNT_FILE ARGS...`` runs ``tierwise ARGS...`` in this
process and counts every Python and C call made while a ``Workspace.writing()`` block is
open in the main thread (taking the lock, BEGIN, every statement, COMMIT). With ``KILL_AT`` > 0 the process
kills itself with SIGKILL just before call number ``KILL_AT``, as a power cut or the OOM
killer would; with 0 it runs to the end and writes to ``COUNT_FILE`` the number of calls and,
for each transaction, the number made before its COMMIT.
The same command on the same data makes the same calls, so a kill lands at the same place
on every machine, however busy: no timing decides what a test sees.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tierwise.workspace import _store


def main(kill_at: int, count_file: Path, args: list[str]) -> None:
    inside = 0
    calls = 0
    committing: list[int] = []
    original = _store.Workspace.writing

    @contextlib.contextmanager
    def writing(self: _store.Workspace) -> Iterator[Any]:
        nonlocal inside
        inside += 1
        sys.setprofile(profile)  # only while writing: the imports before run at full speed
        try:
            with original(self) as con:
                yield con
                if inside == 1:
                    committing.append(calls)  # the body is done: COMMIT comes next
        finally:
            inside -= 1
            if not inside:
                sys.setprofile(None)

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        if inside and event in ("call", "c_call"):
            calls += 1
            if calls == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    _store.Workspace.writing = writing  # type: ignore[method-assign]
    sys.argv = ["tierwise", *args]
    try:
        from tierwise.cli import main as cli

        cli()
    finally:
        count_file.write_text(" ".join(map(str, [calls, *committing])), encoding="utf-8")


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:])
