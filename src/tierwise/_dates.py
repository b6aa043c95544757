"""The date forms people write, read by one parser for imports, ``--as-of`` and the standard language.

``2024-03-05``, ``2024/3/5``, ``2024.3.5``, ``2024年3月5日``, ``20240305``, with full-width
digits too (``２０２４年３月５日``), optionally followed by a time of day.

Examples
--------
>>> [str(parse_day(t)) for t in ["2024/3/5", "2024年3月5日", "20240305", "２０２４-０３-０５"]]
['2024-03-05', '2024-03-05', '2024-03-05', '2024-03-05']
>>> parse_day("March 5") is None
True
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

__all__ = ["parse_day"]

_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_day(text: str) -> dt.date | None:
    """The date ``text`` writes in one of the accepted forms; None when it is none of them.

    Raises
    ------
    ValueError
        For a form that is right but a day that does not exist (2024-02-30).
    """
    normal = unicodedata.normalize("NFKC", text).replace(" ", " ").strip()
    normal = re.sub(r"\s+", " ", normal)
    for pattern in _PATTERNS:
        match = pattern.match(normal)
        if match:
            year, month, day = (int(g) for g in match.groups())
            try:
                return dt.date(year, month, day)
            except ValueError as exc:
                raise ValueError(f"there is no day {year}-{month:02d}-{day:02d}") from exc
    return None
