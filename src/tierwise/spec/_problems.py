"""Problems found in a standard, and the error that carries all of them at once."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Problem", "StandardError", "did_you_mean"]


@dataclass(frozen=True, order=True)
class Problem:
    """One located mistake in a standard file.

    ``message`` is a full sentence; :meth:`__str__` prefixes the location.
    """

    file: str
    line: int | None
    message: str

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class StandardError(ValueError):
    """A standard that cannot be loaded or compiled; ``problems`` lists every mistake.

    Examples
    --------
    >>> err = StandardError([Problem("vip.yaml", 3, "Unknown key 'nme'. Did you mean 'name'?")])
    >>> print(err)
    vip.yaml:3: Unknown key 'nme'. Did you mean 'name'?
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return `` Did you mean 'x'?`` for the closest choice, or a list of the valid ones.

    Examples
    --------
    >>> did_you_mean("step", ["steps", "on"])
    " Did you mean 'steps'?"
    """
    options = sorted({str(c) for c in choices})
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.6)
    if close:
        return f" Did you mean '{close[0]}'?"
    if not options:
        return ""
    if len(options) <= 12:
        return " Valid choices: " + ", ".join(f"'{o}'" for o in options) + "."
    return ""
