"""Bounds on an uploaded file, checked on its bytes before any reader parses it.

A reader given a line of a million columns or one value of a hundred megabytes takes the
machine's memory and minutes of CPU before it can say anything; so an upload is refused,
with the line where it happens, when a line is longer than :data:`MAX_LINE` bytes, has more
than :data:`MAX_COLUMNS` separators, or holds a value longer than :data:`MAX_CELL` bytes with
no separator in it. The scan is a few regular expressions over the file in chunks (linear
in its size, in C). An Excel file (a zip) is refused when it unpacks to more than
:data:`MAX_UNPACKED`; a Parquet file when its schema has more than :data:`MAX_COLUMNS` columns.

Separators are counted as any of ``, ; TAB |`` (the reader guesses which one a file uses),
so a line is refused only when even that generous count is past the bound.
"""

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["MAX_CELL", "MAX_COLUMNS", "MAX_LINE", "MAX_UNPACKED", "check_upload"]

MAX_COLUMNS = 2_000
MAX_LINE = 1024 * 1024  # bytes
MAX_CELL = 64 * 1024  # bytes without a separator or a line end
MAX_UNPACKED = 2 * 1024 * 1024 * 1024  # bytes an Excel file may unpack to
_CHUNK = 8 * 1024 * 1024
_SEPARATORS = rb",;\t|"
_COLUMNS = re.compile(rb"(?m)^(?:[^\n" + _SEPARATORS + rb"]*[" + _SEPARATORS + rb"]){%d}" % MAX_COLUMNS)
_LINE = re.compile(rb"(?m)^[^\n]{%d}" % (MAX_LINE + 1))
_CELL = re.compile(rb"[^\r\n" + _SEPARATORS + rb"]{%d}" % (MAX_CELL + 1))

Say = Callable[..., str]  # a catalogue key and its values -> the sentence in the reader's language


def _text(path: Path, name: str, say: Say) -> None:
    """Refuse a text file (CSV) with a line, a line's columns or a value past the bounds, naming the line."""
    done = 0  # lines before the carried text
    carry = b""
    with path.open("rb") as file:
        while True:
            chunk = file.read(_CHUNK)
            text = carry + chunk
            for pattern, key, limit in (
                (_COLUMNS, "imports.too_many_columns", MAX_COLUMNS),
                (_LINE, "imports.line_too_long", MAX_LINE),
                (_CELL, "imports.cell_too_long", MAX_CELL),
            ):
                found = pattern.search(text)
                if found is not None:
                    line = done + text.count(b"\n", 0, found.start()) + 1
                    raise ValueError(say(key, file=name, line=f"{line:,}", limit=f"{limit:,}"))
            if not chunk:
                return
            end = text.rfind(b"\n") + 1  # the unfinished last line is carried into the next chunk
            done += text.count(b"\n", 0, end)
            carry = text[end:]


def _excel(path: Path, name: str, say: Say) -> None:
    try:
        with zipfile.ZipFile(path) as packed:
            size = sum(item.file_size for item in packed.infolist())
    except zipfile.BadZipFile:
        return  # an old .xls, or not Excel at all: the reader says which
    if size > MAX_UNPACKED:
        raise ValueError(say("imports.unpacks_too_large", file=name, limit=f"{MAX_UNPACKED // 1024**3:,}"))


def _parquet(path: Path, name: str, say: Say) -> None:
    import pyarrow.parquet as pq

    try:
        columns = pq.read_metadata(path).num_columns
    except (OSError, ValueError):
        return  # not Parquet after all: the reader says so
    if columns > MAX_COLUMNS:
        raise ValueError(say("imports.too_many_columns", file=name, line="1", limit=f"{MAX_COLUMNS:,}"))


def check_upload(path: Path, name: str, say: Say) -> None:
    """Refuse (``ValueError`` with ``say``'s located sentence) an upload past the bounds; ``name`` as the user knows it.

    >>> import tempfile
    >>> from tierwise._messages import message
    >>> wide = Path(tempfile.mkdtemp()) / "wide.csv"
    >>> _ = wide.write_bytes(b"a,b\\n1,2\\n" + b",".join([b"x"] * 3000) + b"\\n")
    >>> check_upload(wide, "wide.csv", lambda key, **values: message(key, "en", **values))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Line 3 of 'wide.csv' has more than 2,000 columns; no file with that many is read. ...
    """
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        _parquet(path, name, say)
    elif suffix in (".xlsx", ".xlsm"):
        _excel(path, name, say)
    elif suffix != ".xls":
        _text(path, name, say)
