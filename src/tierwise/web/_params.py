"""The parameters of every route, parsed into their type and range before any of them is used.

Every path and query parameter of the app is one of these types, so a huge page number, a
far date, a control character (NUL, CR, LF) or an over-long text is refused with a 4xx and a
sentence (``_context.invalid``) before it reaches the workspace, a header or a file name.
Downloads name their file through :func:`attachment` (RFC 6266), the one place a name from
the user reaches a header.
"""

import datetime as dt
import re
from typing import Annotated
from urllib.parse import quote

from fastapi import Path
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

__all__ = [
    "FIRST_DAY",
    "LAST_DAY",
    "MAX_ID",
    "MAX_PAGE",
    "MAX_TEXT",
    "CustomerId",
    "Day",
    "Key",
    "Page",
    "RowId",
    "Text",
    "attachment",
    "url_part",
]

MAX_ID = 2**63 - 1  # the store's ids are BIGINT
MAX_PAGE = 10_000_000  # times the largest page size (500), an offset far inside BIGINT
MAX_TEXT = 200
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)  # a day later than this has no next day to count to in some steps
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _plain(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("control_characters", "must not contain control characters (NUL, CR, LF, tab)")
    return value


def _plain_or_none(value: str | None) -> str | None:
    return None if value is None else _plain(value)


Text = Annotated[str | None, Field(max_length=MAX_TEXT), AfterValidator(_plain_or_none)]
"""A query text: at most 200 characters, no control characters; absent is None."""

Day = Annotated[dt.date, Field(ge=FIRST_DAY, le=LAST_DAY)]
"""A day between 1900-01-01 and 2999-12-31."""

Page = Annotated[int, Field(ge=1, le=MAX_PAGE)]
"""A page number of a list, from 1."""

RowId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""The number of a run or a request in a path."""

Key = Annotated[str, Path(min_length=1, max_length=MAX_TEXT), AfterValidator(_plain)]
"""A standard id, user name, upload token or language code in a path."""

CustomerId = Annotated[str, Path(min_length=1, max_length=MAX_TEXT), AfterValidator(_plain)]
"""A customer id in a path; routes take it with the ``{customer_id:path}`` converter, so it may contain '/'."""


def url_part(value: str) -> str:
    """``value`` as one segment of a URL path (every reserved character escaped, '/' kept for path converters)."""
    return quote(value, safe="/")


def attachment(name: str) -> str:
    """A ``Content-Disposition`` for a download named ``name`` (RFC 6266): an ASCII fallback and the UTF-8 name.

    Examples
    --------
    >>> attachment('vip"; x=1.csv')
    'attachment; filename="vip__ x=1.csv"; filename*=UTF-8\\'\\'vip%22%3B%20x%3D1.csv'
    >>> attachment("客户-2025.csv")
    'attachment; filename="__-2025.csv"; filename*=UTF-8\\'\\'%E5%AE%A2%E6%88%B7-2025.csv'
    """
    plain = _CONTROL.sub("", name)
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\;' else "_" for c in plain)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(plain, safe='')}"
