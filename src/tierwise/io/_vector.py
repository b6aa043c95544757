"""Whole text columns read as numbers, dates, booleans and ids at once, in DuckDB.

The cell reader of :mod:`tierwise.io._values` is the definition of what a cell means; it
reads one Python value at a time, which costs about a microsecond a cell (a minute for a
10-million-row export). This module reads a column in two passes:

1. One SQL expression per kind recognises the common forms (``1,234.50``, ``12.3万``,
   ``¥1,234``, ``(1,000)``, ``１２３``, ``15%``, ``2024-03-05``, ``2024/3/5``, ``2024年3月5日``,
   ``20240305``, ASCII ids) and computes exactly the value the cell reader gives for them:
   a number is built as the decimal string ``digits e exponent`` and cast once, so it is
   the correctly rounded double of the same exact decimal the reader computes.
2. Every other non-empty value (Excel serials, ``是/否``, non-ASCII ids, anything odd or
   wrong) goes through the cell reader itself, once per distinct value, so bad cells are
   reported one by one in the reader's words.

A property test (``tests/test_io_vector.py``) compares both passes with the cell reader on
generated values.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from ._columns import ARROW_TYPES, CODE_PATTERN, cell_text, parse_cell

__all__ = ["TextColumn", "connection", "infer_column_kind", "read_text_column"]

Problem = tuple[int, str | None, str]  # (index in the column, the cell as text, the reader's reason)

_WIDE = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0\uffe5"
_NARROW = "".join(chr(c) for c in range(0x21, 0x7F)).replace("'", "''") + "  \u00a5"  # a SQL literal
_SPACE_CHARS = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
_SPACE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _SPACE_CHARS) + "]"
_ASCII_SPACE = "[\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f ]"
_ASCII_WHITESPACE = "".join(c for c in map(chr, range(128)) if c.isspace())
# Characters that NFKC leaves as they are, besides ASCII: what may remain after the full-width
# forms are translated. A value with any other character goes to the cell reader.
_KEPT = "\\x00-\\x7f¥元万亿千百年月日—"

_STRIPPED = "regexp_replace(v, '^" + _SPACE + "+|" + _SPACE + "+$', '', 'g')"
_TEXT = "nullif(" + _STRIPPED + ", '')"
_ASCII_ID = "CASE WHEN regexp_full_match(v, '[\\x00-\\x7f]*') THEN " + _TEXT + " END"
# _normal() of the cell reader: full-width forms to ASCII, spaces removed, then stripped
_NORMAL = (
    "regexp_replace(replace(CASE WHEN regexp_matches(v, '[\\x{ff01}-\\x{ff5e}\\x{3000}\\x{a0}\\x{ffe5}]') "
    "THEN translate(v, '" + _WIDE + "', '" + _NARROW + "') ELSE v END, ' ', ''), "
    "'^" + _ASCII_SPACE + "+|" + _ASCII_SPACE + "+$', '', 'g')"
)
_KEPT_ONLY = "regexp_full_match(t, '[" + _KEPT + "]*')"
_NUMBER_PATTERN = "([+-]?)(\\d+(?:,\\d{3})*|\\d*)(\\.\\d*)?(?:[eE]([+-]?\\d{1,3}))?(百万|万|亿|千|%)?"
_UNIT_EXPONENT = (
    "CASE m.unit WHEN '万' THEN 4 WHEN '亿' THEN 8 WHEN '千' THEN 3 WHEN '百万' THEN 6 WHEN '%' THEN -2 ELSE 0 END"
)
# The double for a matched number: sign, all digits as an integer, and the exponent that places the point
_NUMBER = (
    "SELECT CASE WHEN n.t IN ('', '-', '—', '--') THEN NULL "
    "WHEN n.kept AND regexp_full_match(n.u, '" + _NUMBER_PATTERN + "') "
    "AND regexp_matches(m.whole || m.frac, '\\d') AND length(m.whole || m.frac) <= 25 "
    # Decimal negates an exact zero to zero, and a tiny number to a negative one (-0.0 once a double)
    "THEN TRY_CAST(CASE WHEN (m.sign = '-' OR n.negative) AND regexp_matches(m.whole || m.frac, '[1-9]') "
    "THEN '-' ELSE '' END "
    "|| replace(coalesce(nullif(m.whole, ''), '0'), ',', '') || substr(m.frac, 2) || 'e' "
    "|| CAST(coalesce(TRY_CAST(m.exp AS INTEGER), 0) - greatest(length(m.frac) - 1, 0) + "
    + _UNIT_EXPONENT
    + " AS VARCHAR) "
    "AS DOUBLE) END AS x "
    "FROM (SELECT t, kept, negative, "
    "replace(replace(replace(replace(replace(replace(replace(CASE WHEN negative THEN t[2:-2] ELSE t END, "
    "'¥', ''), 'RMB', ''), 'CNY', ''), '元', ''), '$', ''), 'US$', ''), 'USD', '') AS u "
    "FROM (SELECT t, " + _KEPT_ONLY + " AS kept, starts_with(t, '(') AND ends_with(t, ')') AS negative "
    "FROM (SELECT " + _NORMAL + " AS t FROM _tw_src))) AS n, "
    "LATERAL (SELECT regexp_extract(n.u, '^"
    + _NUMBER_PATTERN
    + "$', ['sign', 'whole', 'frac', 'exp', 'unit']) AS g) AS r, "
    "LATERAL (SELECT r.g.sign AS sign, r.g.whole AS whole, r.g.frac AS frac, r.g.exp AS exp, r.g.unit AS unit) AS m"
)
# A header's unit on a number: Decimal(repr(x)) * 10**k, as the cell reader computes it
_SCALED = (
    "SELECT CASE WHEN x IS NULL THEN NULL WHEN regexp_full_match(s, '-?\\d+(\\.\\d+)?(e[+-]\\d+)?') "
    "THEN TRY_CAST(regexp_extract(s, '^(-?\\d+)', 1) || coalesce(nullif(regexp_extract(s, '\\.(\\d+)', 1), ''), '') "
    "|| 'e' || CAST(coalesce(TRY_CAST(regexp_extract(s, 'e([+-]\\d+)$', 1) AS INTEGER), 0) "
    "- length(regexp_extract(s, '\\.(\\d+)', 1)) + ? AS VARCHAR) AS DOUBLE) END AS x "
    "FROM (SELECT x, CAST(x AS VARCHAR) AS s FROM (" + _NUMBER + "))"
)
_DAY = (
    "SELECT CASE WHEN t = '' THEN NULL WHEN NOT " + _KEPT_ONLY + " THEN NULL "
    "WHEN regexp_full_match(t, '[1-9]\\d{3}[-/.]\\d{1,2}[-/.]\\d{1,2}(T\\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?)?') "
    "THEN TRY_CAST(printf('%s-%02d-%02d', regexp_extract(t, '^(\\d{4})', 1), "
    "CAST(regexp_extract(t, '^\\d{4}[-/.](\\d{1,2})', 1) AS INTEGER), "
    "CAST(regexp_extract(t, '^\\d{4}[-/.]\\d{1,2}[-/.](\\d{1,2})', 1) AS INTEGER)) AS DATE) "
    "WHEN regexp_full_match(o, '[1-9]\\d{3}[-/.]\\d{1,2}[-/.]\\d{1,2} \\d{1,2}:\\d{2}(:\\d{2}(\\.\\d+)?)?') "
    "THEN TRY_CAST(printf('%s-%02d-%02d', regexp_extract(o, '^(\\d{4})', 1), "
    "CAST(regexp_extract(o, '^\\d{4}[-/.](\\d{1,2})', 1) AS INTEGER), "
    "CAST(regexp_extract(o, '^\\d{4}[-/.]\\d{1,2}[-/.](\\d{1,2})', 1) AS INTEGER)) AS DATE) "
    "WHEN regexp_full_match(t, '[1-9]\\d{3}年\\d{1,2}月\\d{1,2}日?') "
    "THEN TRY_CAST(printf('%s-%02d-%02d', regexp_extract(t, '^(\\d{4})', 1), "
    "CAST(regexp_extract(t, '年(\\d{1,2})', 1) AS INTEGER), CAST(regexp_extract(t, '月(\\d{1,2})', 1) AS INTEGER)) AS DATE) "
    "WHEN regexp_full_match(t, '[1-9]\\d{7}') "
    "THEN TRY_CAST(t[1:4] || '-' || t[5:6] || '-' || t[7:8] AS DATE) END AS x "
    "FROM (SELECT " + _NORMAL + " AS t, trim(v, ' ') AS o FROM _tw_src)"
)
# The first tier, over every value: the plain forms most exports use, at the cost of one pattern
_PLAIN = "regexp_full_match(v, '[+-]?\\d+(\\.\\d+)?')"
_SIMPLE = {
    "text": "SELECT " + _TEXT + " AS x FROM _tw_src",
    "id": "SELECT CASE WHEN regexp_full_match(v, '[!-~]+') THEN v END AS x FROM _tw_src",
    "number": "SELECT CASE WHEN "
    + _PLAIN
    + " THEN TRY_CAST(v AS DOUBLE) + 0.0 END AS x FROM _tw_src",  # + 0.0: -0 is 0
    # up to 15 digits the double's shortest text is the same decimal, so the unit shifts the point
    "scaled": "SELECT CASE WHEN length(v) <= 15 AND " + _PLAIN + " THEN TRY_CAST(replace(v, '.', '') || 'e' "
    "|| CAST(? - CASE WHEN contains(v, '.') THEN length(v) - strpos(v, '.') ELSE 0 END AS VARCHAR) AS DOUBLE) + 0.0 END "
    "AS x FROM _tw_src",
    "date": "SELECT CASE WHEN regexp_full_match(v, '[1-9]\\d{3}-\\d{2}-\\d{2}') THEN TRY_CAST(v AS DATE) END "
    "AS x FROM _tw_src",
    "bool": "SELECT CAST(NULL AS BOOLEAN) AS x FROM _tw_src",  # few distinct values: all by the cell reader
}
# The second tier, over the values the first left: every form the SQL recognises
_COMPLEX = {"id": "SELECT " + _ASCII_ID + " AS x FROM _tw_src", "number": _NUMBER, "scaled": _SCALED, "date": _DAY}
_CHUNK = 65_536  # distinct values read by the cell reader at a time when only asking whether all read


class TextColumn:
    """A text column read as one kind: the values (an Arrow array) and every cell that cannot be read."""

    def __init__(self, values: pa.Array | pa.ChunkedArray, problems: list[Problem]) -> None:
        self.values = values
        self.problems = problems


def connection() -> Any:
    """An in-memory DuckDB connection for reading files and columns, without a progress bar."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con


def _exponent(factor: Decimal | None) -> int | None:
    """k when ``factor`` is 10**k (every header unit is), else None."""
    if factor is None:
        return 0
    sign, digits, exponent = factor.normalize().as_tuple()
    if sign or digits != (1,) or not isinstance(exponent, int):
        return None
    return exponent


def _as_strings(column: pa.Array | pa.ChunkedArray) -> pa.ChunkedArray:
    if isinstance(column, pa.Array):
        column = pa.chunked_array([column], column.type)
    if pa.types.is_large_string(column.type):
        column = column.cast(pa.string())
    return column


def _query(con: Any, sql: str, column: pa.ChunkedArray, parameters: list[Any]) -> pa.ChunkedArray:
    con.register("_tw_src", pa.table({"v": column}))
    try:
        return con.sql(sql, params=parameters or None).to_arrow_table().column("x")
    finally:
        con.unregister("_tw_src")


def _whole(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array


def _fast(con: Any, kind: str, column: pa.ChunkedArray, factor: Decimal | None) -> pa.Array | pa.ChunkedArray | None:
    """The SQL tiers: values SQL recognises, NULL elsewhere; None when the factor is no power of ten."""
    k = _exponent(factor) if kind == "number" else 0
    if k is None:
        return None
    key = "scaled" if kind == "number" and factor is not None else kind
    parameters = [k] if key == "scaled" else []
    target = ARROW_TYPES["text" if kind == "id" else kind]
    values = _query(con, _SIMPLE[key], column, parameters).cast(target)
    if key in _COMPLEX:
        left = pc.and_(pc.is_null(values), pc.is_valid(column))
        if pc.any(left).as_py():
            second = _query(con, _COMPLEX[key], column.filter(left), parameters).cast(target)
            values = pc.replace_with_mask(_whole(values), _whole(left), _whole(second))
    return values


def _reader(kind: str, factor: Decimal | None) -> Callable[[str], Any]:
    if kind == "id":
        import unicodedata

        def identifier(value: str) -> str | None:
            text = cell_text(value)
            return (unicodedata.normalize("NFKC", text).strip() or None) if text is not None else None

        return identifier
    return lambda value: parse_cell(kind, value, factor)


def read_text_column(
    column: pa.Array | pa.ChunkedArray, kind: str, factor: Decimal | None = None, *, con: Any = None
) -> TextColumn:
    """``column`` (text) read as ``kind``: ``text``, ``id`` (NFKC, stripped), ``number``, ``date`` or ``bool``.

    ``factor`` is a header's unit (``万元`` is 10000) multiplied into numbers. Values and
    problems are those of :func:`tierwise.io._columns.parse_cell` for every cell.

    Examples
    --------
    >>> import pyarrow as pa
    >>> read_text_column(pa.array(["12.3万", "(1,000)", "x", None]), "number").values.to_pylist()
    [123000.0, -1000.0, None, None]
    >>> read_text_column(pa.array(["12.3万", "x"]), "number").problems
    [(1, 'x', 'not a number')]
    """
    strings = _as_strings(column)
    if kind in ("id", "text") and pc.all(pc.string_is_ascii(strings)).as_py() is not False:
        # ASCII only: NFKC changes nothing and strip() removes exactly these; no SQL round trip
        trimmed = pc.utf8_trim(strings, characters=_ASCII_WHITESPACE)
        return TextColumn(pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed), [])
    own = con or connection()
    try:
        fast = _fast(own, kind, strings, factor)
    finally:
        if con is None:
            own.close()
    if fast is None:  # pragma: no cover - every unit tierwise knows is a power of ten
        fast = pa.nulls(len(strings), ARROW_TYPES["text" if kind == "id" else kind])
    left = pc.and_(pc.is_null(fast), pc.is_valid(strings))
    if not pc.any(left).as_py():
        return TextColumn(fast, [])
    rest = strings.filter(left)
    read = _reader(kind, factor)
    answers: dict[str, tuple[Any, str | None]] = {}
    for value in pc.unique(rest).to_pylist():
        try:
            answers[value] = (read(value), None)
        except ValueError as exc:
            answers[value] = (None, str(exc))
    cells = rest.to_pylist()
    target = ARROW_TYPES["text" if kind == "id" else kind]
    values = pc.replace_with_mask(_whole(fast), _whole(left), pa.array([answers[v][0] for v in cells], target))
    problems: list[Problem] = []
    positions = pc.indices_nonzero(left).to_pylist()
    for position, value in zip(positions, cells, strict=True):
        why = answers[value][1]
        if why is not None:
            problems.append((position, cell_text(value), why))
    return TextColumn(values, problems)


def _all_read(column: pa.ChunkedArray, kind: str, con: Any) -> bool:
    """Whether every non-empty value of ``column`` reads as ``kind`` (stopping at the first that does not)."""
    fast = _fast(con, kind, column, None)
    assert fast is not None
    left = pc.and_(pc.is_null(fast), pc.is_valid(column))
    rest = pc.unique(column.filter(left))
    for start in range(0, len(rest), _CHUNK):
        for value in rest.slice(start, _CHUNK).to_pylist():
            try:
                parse_cell(kind, value)
            except ValueError:
                return False
    return True


def infer_column_kind(column: pa.Array | pa.ChunkedArray) -> str:
    """The kind :func:`tierwise.io._columns.infer_kind` gives the column's values, found column-wise.

    Examples
    --------
    >>> import pyarrow as pa
    >>> [infer_column_kind(pa.array(v)) for v in (["1,234", "12万"], ["2024/3/5", None], ["是", "否"], ["A", "1"])]
    ['number', 'date', 'bool', 'text']
    >>> infer_column_kind(pa.array(["0111", "3911"]))  # codes with a leading zero stay text
    'text'
    """
    strings = _as_strings(column)
    present = strings.filter(pc.and_(pc.is_valid(strings), pc.not_equal(strings, "")))
    if len(present) == 0:
        return "text"
    trimmed = pc.utf8_trim_whitespace(present)
    if pc.any(pc.match_substring_regex(trimmed, CODE_PATTERN)).as_py():
        return "text"  # codes such as 0111 (an industry) or 010 (an area): a number would lose the zeros
    con = connection()
    try:
        if _all_read(present, "number", con):
            return "number"
        digits_only = pc.all(pc.utf8_is_digit(pc.utf8_trim_whitespace(present))).as_py()
        if not digits_only and _all_read(present, "date", con):
            return "date"
    finally:
        con.close()
    if pc.all(pc.is_in(trimmed, value_set=pa.array(["是", "否"]))).as_py():
        return "bool"
    return "text"
