"""The library of built-in standards shipped with tierwise (``tierwise/standards/*.yaml``)."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path
from typing import NamedTuple

from tierwise.spec._loader import load_standard
from tierwise.spec._model import Standard
from tierwise.spec._problems import did_you_mean

__all__ = ["INDUSTRY_TABLE", "LIBRARY", "IndustryCode", "builtin_ids", "builtin_path", "industry_codes", "load_builtin"]

LIBRARY = Path(__file__).resolve().parent.parent / "standards"
INDUSTRY_TABLE = LIBRARY / "tables" / "gb4754-2017.csv"


class IndustryCode(NamedTuple):
    """One entry of GB/T 4754-2017 (国民经济行业分类): a 门类 (section) or a 大类 (division)."""

    level: str  # 门类 or 大类
    code: str  # A … T, or 01 … 97
    section: str  # the 门类 it belongs to
    name: str


@cache
def industry_codes() -> tuple[IndustryCode, ...]:
    """The 20 门类 and 97 大类 of GB/T 4754-2017, as bundled with tierwise.

    Examples
    --------
    >>> codes = industry_codes()
    >>> [c for c in codes if c.code in ("C", "39")]  # doctest: +NORMALIZE_WHITESPACE
    [IndustryCode(level='门类', code='C', section='C', name='制造业'),
     IndustryCode(level='大类', code='39', section='C', name='计算机、通信和其他电子设备制造业')]
    """
    with INDUSTRY_TABLE.open(encoding="utf-8", newline="") as handle:
        return tuple(IndustryCode(**row) for row in csv.DictReader(handle))


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
