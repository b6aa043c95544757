"""Exports never write live formulas (OWASP CSV injection); numbers stay numbers."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook
from tests.conftest import run_cli, write_standard

from tierwise.io import write_table, write_workbook

HOSTILE = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _table() -> pa.Table:
    names = [*HOSTILE, "ok", None]
    return pa.table({"customer_id": names, "amount": [-1.5, *range(len(names) - 1)]})


def test_csv_export_prefixes_every_formula_start_and_keeps_numbers(tmp_path: Path) -> None:
    path = write_table(_table(), tmp_path / "out.csv")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["customer_id"] for r in rows[: len(HOSTILE)]] == ["'" + h for h in HOSTILE]
    assert rows[len(HOSTILE)]["customer_id"] == "ok"
    assert rows[0]["amount"] == "-1.5"  # a negative number is a number, not a formula


@pytest.mark.parametrize("writer", ["table", "workbook"])
def test_xlsx_export_writes_text_cells_never_formulas(tmp_path: Path, writer: str) -> None:
    path = tmp_path / "out.xlsx"
    if writer == "table":
        write_table(_table(), path)
    else:
        write_workbook({"sheet": _table()}, path)
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        styles = book.read("xl/styles.xml").decode()
    assert "<f>" not in sheet
    assert "<f " not in sheet
    assert 'quotePrefix="1"' in styles
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert [row[0] for row in values[1 : len(HOSTILE) + 1]] == HOSTILE  # shown as typed, as text
    assert values[1][1] == -1.5


def test_evaluate_output_of_a_customer_named_like_a_formula_is_inert(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "customers.csv").write_text(
        'customer_id,sales\n"=HYPERLINK(""http://x"",""y"")",5\n"=cmd|\' /C calc\'!A0",1\n', encoding="utf-8"
    )
    path = write_standard(
        tmp_path,
        """
        tierwise: 1
        id: s
        name: s
        version: "1"
        grades: [A, B]
        indicators: {sales: {attribute: sales}}
        grade: {ladder: {on: sales, steps: [{grade: A, at_least: 3}, {grade: B}]}}
        """,
    )
    for suffix in ("csv", "xlsx"):
        out = tmp_path / f"out.{suffix}"
        result = run_cli("evaluate", str(path), "--data", str(data), "--as-of", "2026-03-31", "-o", str(out))
        assert result.returncode == 0, result.stderr
        if suffix == "csv":
            text = out.read_text(encoding="utf-8-sig")
            assert not re.search(r'(^|\n)"?=', text)
            assert "'=HYPERLINK" in text
        else:
            with zipfile.ZipFile(out) as book:
                assert "<f>" not in book.read("xl/worksheets/sheet1.xml").decode()
