"""Workspaces and the import of real exports: typed values, all-or-nothing, audit, kill safety."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import kill_inside_writes, run_cli

import tierwise
from tierwise.io._values import parse_business_date, parse_business_number

HEADERS = ["客户编号", "客户名称", "客户类型", "建档日期", "资产总额", "是否授信"]
ROWS = [
    ["C001", "华东精密", "enterprise", "2024年3月5日", "12.3万", "是"],
    ["C002", "江南纺织", "enterprise", "2024/3/5", "￥1,234", "否"],
    ["C003", "北方能源", "enterprise", "45356", "(1,000)", "是"],
    ["Ｃ００４", "西部物流", "enterprise", "２０２４－０３－０５", "８８", "否"],
    ["C005", "南方电子", "enterprise", "2024-03-05", "1,234.50", "否"],
]
EXPECTED = {
    "C001": (dt.date(2024, 3, 5), 123_000.0, True),
    "C002": (dt.date(2024, 3, 5), 1_234.0, False),
    "C003": (dt.date(2024, 3, 5), -1_000.0, True),
    "C004": (dt.date(2024, 3, 5), 88.0, False),
    "C005": (dt.date(2024, 3, 5), 1_234.5, False),
}


def _csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def _customers(ws: tierwise.Workspace) -> dict[str, tuple[object, ...]]:
    with ws.reading() as con:
        rows = con.execute(
            "SELECT customer_id, created_at, total_assets, credit_customer FROM data.customers"
        ).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


@pytest.fixture
def ws(tmp_path: Path) -> tierwise.Workspace:
    return tierwise.Workspace.init(tmp_path / "ws")


def test_gbk_csv_with_chinese_headers_imports_typed_values(ws: tierwise.Workspace, tmp_path: Path) -> None:
    path = _csv(tmp_path / "客户.csv", [HEADERS, *ROWS], "gbk")
    result = tierwise.import_file(ws, "customers", path)
    assert result.rows == 5
    assert result.mapping["客户编号"] == "customer_id"
    assert _customers(ws) == EXPECTED


def test_xlsx_with_the_same_formats_imports_the_same_values(ws: tierwise.Workspace, tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "客户.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("导出")
    for r, row in enumerate([HEADERS, *ROWS]):
        for c, value in enumerate(row):
            if r and c == 3 and value == "45356":
                sheet.write_number(r, c, 45356)  # an Excel serial date, as Excel stores it
            else:
                sheet.write_string(r, c, value)
    book.close()
    tierwise.import_file(ws, "customers", path, sheet="导出")
    assert _customers(ws) == EXPECTED


def test_file_with_bad_rows_is_refused_whole_with_every_bad_row_listed(ws: tierwise.Workspace, tmp_path: Path) -> None:
    tierwise.import_file(ws, "customers", _csv(tmp_path / "good.csv", [HEADERS, *ROWS], "utf-8"))
    bad = [
        HEADERS,
        *ROWS[:2],
        ["C001", "重复", "enterprise", "2024-01-01", "1", "是"],
        ["C009", "坏值", "enterprise", "2099-01-01", "abc", "也许"],
        ["", "无编号", "enterprise", "2024-01-01", "1", "否"],
    ]
    with pytest.raises(tierwise.ImportRefused) as info:
        tierwise.import_file(ws, "customers", _csv(tmp_path / "bad.csv", bad, "gbk"), mode="replace")
    listed = {(p.row, p.column) for p in info.value.problems}
    assert listed == {
        (4, "customer_id"),
        (5, "created_at"),
        (5, "total_assets"),
        (5, "credit_customer"),
        (6, "customer_id"),
    }
    assert "3 bad row(s) of 5; nothing was imported" in str(info.value)
    assert _customers(ws) == EXPECTED  # the earlier import is untouched
    report = info.value.report
    assert report is not None
    assert report.read_text(encoding="utf-8-sig").count("\n") == 6  # header + 5 problems
    assert [r["action"] for r in ws.audit_records()] == ["init", "import", "import-refused"]


def test_allow_bad_rows_lands_good_rows_and_quarantines_the_rest(ws: tierwise.Workspace, tmp_path: Path) -> None:
    bad = [HEADERS, *ROWS, ["C009", "坏值", "enterprise", "2024-01-01", "abc", "是"]]
    result = tierwise.import_file(ws, "customers", _csv(tmp_path / "bad.csv", bad, "utf-8"), allow_bad_rows=True)
    assert (result.rows, result.bad_rows) == (5, 1)
    with ws.reading() as con:
        quarantined = con.execute('SELECT "row", "column", value, problem FROM quarantine').fetchall()
    assert quarantined == [(7, "total_assets", "abc", "not a number")]


def test_transactions_of_unknown_customers_and_missing_columns_are_refused(
    ws: tierwise.Workspace, tmp_path: Path
) -> None:
    tierwise.import_file(ws, "customers", _csv(tmp_path / "c.csv", [HEADERS, *ROWS], "utf-8"))
    tx = [["客户编号", "交易日期", "金额"], ["C001", "2026-01-05", "1,000"], ["C777", "2026-01-05", "5"]]
    with pytest.raises(tierwise.ImportRefused) as info:
        tierwise.import_file(ws, "transactions", _csv(tmp_path / "t.csv", tx, "utf-8"))
    assert [(p.row, p.problem) for p in info.value.problems] == [(3, "no such customer in the customers table")]
    with pytest.raises(tierwise.ImportRefused, match=r"column\(s\) amount missing"):
        tierwise.import_file(
            ws, "transactions", _csv(tmp_path / "t2.csv", [["客户编号", "交易日期"], ["C001", "2026-01-05"]], "utf-8")
        )
    with pytest.raises(tierwise.ImportRefused, match="no data rows"):
        tierwise.import_file(ws, "transactions", _csv(tmp_path / "t3.csv", [["客户编号", "交易日期", "金额"]], "utf-8"))


def test_saved_mapping_is_reused_and_append_adds_rows(ws: tierwise.Workspace, tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("编号: customer_id\n名称: name\n", encoding="utf-8")
    first = _csv(tmp_path / "a.csv", [["编号", "名称"], ["A1", "甲"]], "utf-8")
    second = _csv(tmp_path / "b.csv", [["编号", "名称"], ["A2", "乙"]], "utf-8")
    tierwise.import_file(ws, "customers", first, mapping=mapping)
    tierwise.import_file(ws, "customers", second, mode="append")  # no --map: the saved one applies
    assert ws.tables() == {"customers": 2}
    with pytest.raises(tierwise.ImportRefused, match="bad row"):
        tierwise.import_file(ws, "customers", first, mode="append")  # A1 is already there


def test_evaluate_reads_a_workspace(ws: tierwise.Workspace, tmp_path: Path) -> None:
    tierwise.import_file(ws, "customers", _csv(tmp_path / "c.csv", [HEADERS, *ROWS], "gbk"))
    tx = [["客户编号", "交易日期", "金额"], ["C001", "2026-01-05", "1,000万"], ["C002", "2026-02-01", "0.6亿"]]
    tierwise.import_file(ws, "transactions", _csv(tmp_path / "t.csv", tx, "utf-8-sig"))
    result = run_cli(
        "evaluate",
        str(tierwise.builtin_path("annual-sales-grade")),
        "--data",
        str(ws.root),
        "--as-of",
        "2026-03-31",
        "-o",
        str(tmp_path / "out.csv"),
    )
    assert result.returncode == 0, result.stderr
    lines = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()
    assert any(line.startswith('"C002","VIP"') for line in lines)


def test_cli_workflow_init_import_tables_audit(tmp_path: Path) -> None:
    assert run_cli("init", str(tmp_path / "w")).returncode == 0
    again = run_cli("init", str(tmp_path / "w"))
    assert again.returncode == 1
    assert "already a tierwise workspace" in again.stderr
    path = _csv(tmp_path / "c.csv", [HEADERS, *ROWS], "gbk")
    imported = run_cli("import", "customers", str(path), "--workspace", str(tmp_path / "w"))
    assert imported.returncode == 0, imported.stderr
    assert "Imported 5 rows into 'customers'" in imported.stdout
    assert "customers" in run_cli("tables", "-w", str(tmp_path / "w")).stdout
    assert "import" in run_cli("audit", "-w", str(tmp_path / "w")).stdout
    nowhere = run_cli("tables", cwd=tmp_path)
    assert nowhere.returncode == 1
    assert "No tierwise workspace" in nowhere.stderr


def test_killing_import_mid_way_leaves_no_partial_table(tmp_path: Path) -> None:
    ws = tierwise.Workspace.init(tmp_path / "ws")
    big = tmp_path / "big.csv"
    with big.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["customer_id", "name", "created_at", "total_assets"])
        for i in range(3_000):
            writer.writerow([f"K{i:07d}", f"客户{i}", "2024-03-05", f"{i % 997}万"])
    tierwise.import_file(ws, "customers", big)

    def check(fraction: float) -> None:
        assert ws.tables() == {"customers": 3_000}, fraction  # the store opens and holds the whole file
        with ws.reading() as con:
            landed = con.execute("SELECT count(*) FROM imports").fetchone()
        assert landed == (1,), fraction  # the killed imports left no record
        assert landed[0] == len([r for r in ws.audit_records() if r["action"] == "import"])

    args = ["import", "customers", str(big), "-w", str(ws.root), "--mode", "replace", "--yes"]
    assert len(kill_inside_writes(ws.root, args, (0.05, 0.5, 1.0), check)) == 3


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["", "￥", "RMB"]), st.booleans())
def test_business_number_reads_its_own_formatting(cents: int, currency: str, parentheses: bool) -> None:
    value = cents / 100
    text = f"{currency}{abs(value):,.2f}"
    text = f"({text})" if value < 0 and parentheses else ("-" + text if value < 0 else text)
    assert parse_business_number(text) == pytest.approx(value, abs=1e-9)
    wan = f"{value / 10_000:.6f}万"
    assert parse_business_number(wan) == pytest.approx(value, abs=1e-2)


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_business_date_reads_every_export_form(day: dt.date) -> None:
    serial = (day - dt.date(1899, 12, 30)).days
    forms = [
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
        serial,
        str(serial),
    ]
    assert {parse_business_date(form) for form in forms} == {day}
