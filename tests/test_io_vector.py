"""Whole columns read in DuckDB give exactly what the cell reader gives, cell by cell."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from tierwise.io._columns import cell_text, infer_kind, parse_cell
from tierwise.io._vector import infer_column_kind, read_text_column

FULL_WIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
SPACES = ["", " ", "\u3000", "\u00a0", "\t", "  "]


def _wide(text: str, draw: Any) -> str:
    """Some characters of ``text`` in their full-width forms, as some Chinese systems export digits."""
    if not draw(st.booleans()):
        return text
    return "".join(FULL_WIDTH.get(c, c) if draw(st.booleans()) else c for c in text)


@st.composite
def number_texts(draw: Any) -> str:
    digits = st.text("0123456789", min_size=0, max_size=30)
    whole = draw(digits)
    if draw(st.booleans()) and len(whole) > 3:  # thousands separators, right or wrong
        step = draw(st.sampled_from([3, 3, 3, 2, 4]))
        whole = ",".join(whole[max(0, i - step) : i] for i in range(len(whole), 0, -step))[::-1]
        whole = ",".join(part[::-1] for part in whole.split(",")[::-1])
    text = draw(st.sampled_from(["", "+", "-", "−"])) + whole
    if draw(st.booleans()):
        text += "." + draw(digits)
    if draw(st.integers(0, 4)) == 0:
        text += (
            draw(st.sampled_from(["e", "E"])) + draw(st.sampled_from(["", "+", "-"])) + str(draw(st.integers(0, 400)))
        )
    text += draw(st.sampled_from(["", "", "万", "亿", "千", "百万", "%", "％"]))
    currency = draw(st.sampled_from(["", "", "¥", "￥", "RMB", "CNY", "元", "$", "US$", "USD"]))
    text = currency + text if draw(st.booleans()) else text + currency
    if draw(st.integers(0, 5)) == 0:
        text = f"({text})"
    text = _wide(text, draw)
    return draw(st.sampled_from(SPACES)) + text + draw(st.sampled_from(SPACES))


@st.composite
def date_texts(draw: Any) -> str:
    year, month, day = draw(st.integers(0, 9999)), draw(st.integers(0, 13)), draw(st.integers(0, 32))
    form = draw(st.integers(0, 5))
    if form == 0:
        text = f"{year:04d}{draw(st.sampled_from('-/.'))}{month:0{draw(st.integers(1, 2))}d}{draw(st.sampled_from('-/.'))}{day:02d}"
    elif form == 1:
        text = f"{year:04d}年{month}月{day}" + draw(st.sampled_from(["日", ""]))
    elif form == 2:
        text = f"{year:04d}{month:02d}{day:02d}"
    elif form == 3:
        text = str(draw(st.integers(0, 3_000_000)))  # Excel serials and other numbers
    elif form == 4:
        text = f"{year:04d}-{month:02d}-{day:02d}" + draw(
            st.sampled_from([" 10:23", "T10:23:11", " 9:05:00.5", "  10:23"])
        )
    else:
        text = draw(st.text(max_size=12))
    return draw(st.sampled_from(SPACES)) + _wide(text, draw) + draw(st.sampled_from(SPACES))


def _oracle(kind: str, value: str | None, factor: Decimal | None) -> tuple[Any, str | None]:
    try:
        if kind == "id":
            text = cell_text(value)
            return ((unicodedata.normalize("NFKC", text).strip() or None) if text is not None else None), None
        return parse_cell(kind, value, factor), None
    except ValueError as exc:
        return None, str(exc)


def _same(kind: str, values: list[str | None], factor: Decimal | None = None) -> None:
    column = read_text_column(pa.array(values, pa.string()), kind, factor)
    expected = [_oracle(kind, v, factor) for v in values]
    got = column.values.to_pylist()
    problems = {index: (shown, why) for index, shown, why in column.problems}
    for index, (value, (want, why)) in enumerate(zip(values, expected, strict=True)):
        assert repr(got[index]) == repr(want), (value, got[index], want)  # repr tells -0.0 and inf apart
        if why is None:
            assert index not in problems, (value, problems.get(index))
        else:
            assert problems[index] == (cell_text(value), why), value


anything = st.one_of(st.none(), st.text(max_size=20))


@settings(max_examples=300)
@given(
    st.lists(st.one_of(number_texts(), anything), min_size=1, max_size=40),
    st.sampled_from([None, 10_000, "0.01", 1_000, 100_000_000]),
)
def test_number_column_reads_every_cell_as_the_cell_reader_does(values: list[str | None], factor: Any) -> None:
    _same("number", values, None if factor is None else Decimal(factor))


@settings(max_examples=300)
@given(st.lists(st.one_of(date_texts(), anything), min_size=1, max_size=40))
def test_date_column_reads_every_cell_as_the_cell_reader_does(values: list[str | None]) -> None:
    _same("date", values)


@settings(max_examples=150)
@given(
    st.lists(
        st.one_of(anything, st.sampled_from(["是", "否", " Y ", "no", "1", "0", "√", "×", "有", "TRUE", "是的"])),
        min_size=1,
        max_size=30,
    )
)
def test_bool_column_reads_every_cell_as_the_cell_reader_does(values: list[str | None]) -> None:
    _same("bool", values)


ids = st.builds(
    lambda pad, body, end: pad + body + end,
    st.sampled_from([*SPACES, "\u2003", "\n"]),
    st.one_of(st.text(max_size=10), st.from_regex(r"[A-Z]{1,2}\d{3,8}", fullmatch=True), st.just("Ｃ００４")),
    st.sampled_from([*SPACES, "\u2003", "\r\n"]),
)


@settings(max_examples=200)
@given(st.lists(st.one_of(st.none(), ids), min_size=1, max_size=40), st.sampled_from(["id", "text"]))
def test_id_and_text_columns_are_stripped_as_the_cell_reader_strips(values: list[str | None], kind: str) -> None:
    _same(kind, values)


@settings(max_examples=150)
@given(
    st.lists(st.one_of(number_texts(), date_texts(), st.sampled_from(["是", "否", "", "A"])), min_size=1, max_size=20)
)
def test_a_columns_kind_is_inferred_as_from_its_values(values: list[str]) -> None:
    assert infer_column_kind(pa.array(values, pa.string())) == infer_kind(values)


def test_common_business_forms_are_read_without_the_cell_reader() -> None:
    values = ["1,234.50", "12.3万", "¥1,234", "(1,000)", "１２３", "15%", "-", "2.5亿元"]
    assert read_text_column(pa.array(values), "number").values.to_pylist() == [
        1234.5,
        123000.0,
        1234.0,
        -1000.0,
        123.0,
        0.15,
        None,
        250000000.0,
    ]
    days = read_text_column(pa.array(["2024/3/5", "2024年3月5日", "20240305", "45356", "2024-03-05 10:23"]), "date")
    assert {str(d) for d in days.values.to_pylist()} == {"2024-03-05"}


def test_bad_cells_are_listed_one_by_one_with_the_readers_reason() -> None:
    column = read_text_column(pa.array(["1", "一百", "2", "一百", "2024-02-30"]), "number")
    assert column.problems == [
        (1, "一百", "not a number"),
        (3, "一百", "not a number"),
        (4, "2024-02-30", "not a number"),
    ]
    days = read_text_column(pa.array(["2024-02-30", "2024-02-29"]), "date")
    assert days.problems == [(0, "2024-02-30", "there is no day 2024-02-30")]


PLAIN_CHARS = ["a", "中", " ", "1", ".", "-", "万", "\t", "'", "="]
ODD_CHARS = [",", '"', "\n", "\r\n", "\r", "\x00", '""']
cells = st.lists(st.sampled_from(PLAIN_CHARS * 8 + ODD_CHARS), max_size=5).map("".join)  # mostly plain files


@st.composite
def csv_texts(draw: Any) -> str:
    width = draw(st.integers(1, 4))
    shape = st.one_of(
        st.lists(cells, min_size=width, max_size=width), st.lists(cells, min_size=max(0, width - 1), max_size=width + 1)
    )
    rows = draw(st.lists(shape, min_size=1, max_size=8))
    header = ",".join(f"h{i}" for i in range(width))

    def cell(text: str) -> str:
        return f'"{text.replace(chr(34), chr(34) * 2)}"' if draw(st.booleans()) else text

    ending = draw(st.sampled_from(["\n", "\r\n"]))
    body = ending.join(",".join(cell(c) for c in row) for row in rows)
    return header + ending + body + draw(st.sampled_from(["", ending]))


@settings(max_examples=250)
@given(csv_texts())
def test_a_csv_read_by_duckdb_gives_the_records_pythons_reader_gives(text: str) -> None:
    import tempfile
    from pathlib import Path

    from tierwise.io._reader import _as_columns, _read_records, read_csv

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        path.write_bytes(text.encode("utf-8"))
        try:
            want = _as_columns(_read_records(path, "utf-8"))
        except ValueError:
            return  # an unreadable header is refused by both
        got = read_csv(path)
        assert got.headers == want.headers
        assert got.broken == want.broken
        rows = got.arrow.to_pylist() if got.arrow is not None else []
        expected = want.arrow.to_pylist() if want.arrow is not None else []
        assert [{k: cell_text(v) for k, v in r.items()} for r in rows] == [
            {k: cell_text(v) for k, v in r.items()} for r in expected
        ]
        assert got.line_numbers().to_pylist() == want.line_numbers().to_pylist()
