"""The library of built-in standards shipped with tierwise (``tierwise/standards/*.yaml``)."""

from __future__ import annotations

from pathlib import Path

from tierwise.spec._loader import load_standard
from tierwise.spec._model import Standard
from tierwise.spec._problems import did_you_mean

__all__ = ["LIBRARY", "builtin_ids", "builtin_path", "load_builtin"]

LIBRARY = Path(__file__).resolve().parent.parent / "standards"


def builtin_ids() -> list[str]:
    """The ids of the built-in standards, sorted.

    Examples
    --------
    >>> "rfm-8" in builtin_ids()
    True
    """
    return sorted(path.stem for path in LIBRARY.glob("*.yaml"))


def builtin_path(standard_id: str) -> Path:
    """The file of the built-in standard ``standard_id``.

    Raises
    ------
    KeyError
        When there is no such standard (the message suggests the closest id).
    """
    path = LIBRARY / f"{standard_id}.yaml"
    if not path.is_file():
        raise KeyError(
            f"There is no built-in standard '{standard_id}'.{did_you_mean(standard_id, builtin_ids())} "
            f"'tierwise standards' lists them."
        )
    return path


def load_builtin(standard_id: str) -> Standard:
    """Load a built-in standard by id (file name and ``id:`` agree)."""
    return load_standard(builtin_path(standard_id))
