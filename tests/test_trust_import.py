"""Imports never lose or invent a row silently; encodings are read right or refused by name; units apply."""

from __future__ import annotations

import shutil
import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import run_cli
from tests.fuzzing import CORRUPTIONS, import_outcome

import tierwise
import tierwise.workspace as tw
from tierwise.demo import generate
from tierwise.io import write_table

HEADER = "customer_id,name,type\n"


@pytest.fixture
def ws(tmp_path: Path) -> tw.Workspace:
    return tw.Workspace.init(tmp_path / "ws")


def _refused(ws: tw.Workspace, path: Path, table: str = "customers") -> list[tw.RowProblem]:
    with pytest.raises(tierwise.ImportRefused) as caught:
        tierwise.import_file(ws, table, path)
    return caught.value.problems


def _customers(ws: tw.Workspace) -> list[str]:
    with ws.reading() as con:
        return [r[0] for r in con.execute("SELECT customer_id FROM data.customers ORDER BY 1").fetchall()]


def test_a_row_with_more_cells_than_the_header_is_a_bad_row_with_its_line(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "N0,a,enterprise\nN1,a,enterprise,EXTRA\n", encoding="utf-8")
    problems = _refused(ws, path)
    assert [(p.row, "4 cells but the header has 3" in p.problem) for p in problems] == [(3, True)]


def test_an_unquoted_thousands_comma_is_a_bad_row_not_a_wrong_amount(ws: tw.Workspace, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("customer_id\nKH00004\n", encoding="utf-8")
    tierwise.import_file(ws, "customers", tmp_path / "c.csv")
    path = tmp_path / "t.csv"
    path.write_text("customer_id,date,amount\nKH00004,,1,234.5\n", encoding="utf-8")
    problems = _refused(ws, path, "transactions")
    assert len(problems) == 1
    assert problems[0].row == 2
    assert "double quotes" in problems[0].problem


def test_a_row_with_fewer_cells_than_the_header_is_a_bad_row(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "N1,a\n", encoding="utf-8")
    assert "2 cells but the header has 3" in _refused(ws, path)[0].problem


def test_a_bare_cr_inside_an_unquoted_cell_is_one_bad_row_and_invents_no_customer(
    ws: tw.Workspace, tmp_path: Path
) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(HEADER.encode() + b"N1,ab\r=1,enterprise\nN2,b,enterprise\n")
    result = tierwise.import_file(ws, "customers", path, allow_bad_rows=True)
    assert (result.rows, result.bad_rows) == (1, 1)
    assert _customers(ws) == ["N2"]
    problems = ws.records('SELECT "row", problem FROM quarantine')
    assert problems[0]["row"] == 2
    assert "line break" in problems[0]["problem"]


def test_a_quoted_line_break_inside_a_cell_is_kept(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(HEADER.encode() + b'N1,"two\r\nlines",enterprise\nN2,b,enterprise\n')
    result = tierwise.import_file(ws, "customers", path)
    assert (result.rows, result.bad_rows) == (2, 0)
    assert ws.records("SELECT name FROM data.customers WHERE customer_id = 'N1'")[0]["name"] == "two\r\nlines"


def test_a_nul_character_is_a_bad_row(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(HEADER.encode() + b"N1,a\x00b,enterprise\n")
    assert "NUL" in _refused(ws, path)[0].problem


def test_an_over_long_cell_is_a_located_bad_row_not_a_library_message(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(HEADER + 'N1,"' + "x" * 200_000 + '",enterprise\nN2,b,enterprise\n', encoding="utf-8")
    problems = _refused(ws, path)
    assert [p.row for p in problems] == [2]
    assert "longer than 131,072 characters" in problems[0].problem
    assert "field limit" not in problems[0].problem


def test_scientific_notation_is_a_number_and_the_demo_customers_import(ws: tw.Workspace, tmp_path: Path) -> None:
    path = write_table(generate(customers=300, seed=4)["customers"], tmp_path / "customers.csv")
    result = tierwise.import_file(ws, "customers", path)
    assert result.rows == 300
    assert result.bad_rows == 0
    path = tmp_path / "c.csv"
    path.write_text("customer_id,registered_capital\nN1,1.0117019e+10\n", encoding="utf-8")
    tierwise.import_file(ws, "customers", path, mode="replace")
    assert ws.records("SELECT registered_capital FROM data.customers")[0]["registered_capital"] == 10_117_019_000


BIG5 = "customer_id,name,region\nTW1,臺北科技股份有限公司,臺灣\nTW2,高雄貿易有限公司,臺灣\n"


@pytest.mark.parametrize("encoding", ["big5", "utf-16", "gb18030", "utf-8-sig"])
def test_big5_utf16_and_gbk_files_are_read_right(ws: tw.Workspace, tmp_path: Path, encoding: str) -> None:
    text = BIG5 if encoding != "gb18030" else BIG5.replace("臺北科技股份有限公司", "北京科技有限公司")
    path = tmp_path / "c.csv"
    path.write_bytes(text.encode(encoding))
    tierwise.import_file(ws, "customers", path)
    names = [r["name"] for r in ws.records("SELECT name FROM data.customers ORDER BY customer_id")]
    assert names == ["臺北科技股份有限公司" if encoding != "gb18030" else "北京科技有限公司", "高雄貿易有限公司"]


def test_a_japanese_file_is_refused_by_name_not_misread(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("customer_id,name\nJ1,やまだ商店\nJ2,すずき工業\n".encode("shift_jis"))
    result = run_cli("import", "customers", str(path), "-w", str(ws.root))
    assert result.returncode == 1
    assert "Shift_JIS" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_header_with_a_unit_is_mapped_with_the_unit_applied(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("客户编号,总资产(万元),注册资本（亿元）,毛利率(%),备注\nC1,12.5,0.3,15,x\n", encoding="utf-8")
    result = tierwise.import_file(ws, "customers", path)
    row = ws.records("SELECT * FROM data.customers")[0]
    assert row["total_assets"] == 125_000
    assert row["registered_capital"] == 30_000_000
    assert row["毛利率"] == pytest.approx(0.15)
    assert result.units == {"总资产(万元)": "万元", "注册资本（亿元）": "亿元", "毛利率(%)": "%"}
    assert result.unmapped == ["毛利率(%)", "备注"]


def test_a_mapping_entry_may_declare_a_unit(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("编号,资产\nC1,3\n", encoding="utf-8")
    mapping = {"编号": "customer_id", "资产": {"column": "total_assets", "unit": "亿元"}}
    tierwise.import_file(ws, "customers", path, mapping=mapping)
    assert ws.records("SELECT total_assets FROM data.customers")[0]["total_assets"] == 300_000_000


def test_a_mapping_with_an_unknown_unit_is_refused_with_a_sentence(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("编号,资产\nC1,3\n", encoding="utf-8")
    with pytest.raises(tw.WorkspaceError, match="'资产' has the unit '万美元'"):
        tierwise.import_file(
            ws, "customers", path, mapping={"编号": "customer_id", "资产": {"column": "total_assets", "unit": "万美元"}}
        )


def test_the_cli_lists_every_unmapped_column_and_the_units(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("客户编号,总资产(万元),联系人,电话\nC1,1,张三,123\n", encoding="utf-8")
    result = run_cli("import", "customers", str(path), "-w", str(ws.root))
    assert result.returncode == 0, result.stderr
    assert "总资产(万元): ×万元" in result.stdout
    assert "联系人, 电话" in result.stdout


_EMPTY: list[Path] = []


def _empty_workspace(factory: pytest.TempPathFactory) -> Path:
    """One empty workspace, made once, that each fuzz example copies (creating the store takes a second)."""
    if not _EMPTY:
        _EMPTY.append(tw.Workspace.init(factory.mktemp("empty") / "ws").root)
    return _EMPTY[0]


CELL = st.text(alphabet=st.sampled_from([*string.ascii_letters, *"0123456789 ,\"'\r\n=-万年"]), max_size=6)


@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(st.lists(CELL, min_size=3, max_size=3), st.sampled_from(CORRUPTIONS)), min_size=1, max_size=12
    )
)
def test_rows_in_the_file_are_rows_imported_plus_rows_reported(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[list[str], str]]
) -> None:
    """Fuzzed exports: every row is imported or reported with its line, never dropped, split or invented."""
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(_empty_workspace(tmp_path_factory), folder / "ws")  # a new empty workspace for each example
    ws = tw.Workspace(folder / "ws")
    path = folder / "fuzz.csv"
    outcome = import_outcome(ws, path, rows)
    assert outcome == "ok", outcome


def _ten_rows(quote_all: bool) -> str:
    """A 10-row export whose row K2 ends with ``,"unterminated`` (the issue's file)."""
    rows = [
        f'"K{n}","北京市朝阳区客户有限公司{n}","enterprise"'
        if quote_all
        else f"K{n},北京市朝阳区客户有限公司{n},enterprise"
        for n in range(10)
    ]
    rows[2] = '"K2","北京市客户2","unterminated' if quote_all else 'K2,北京市客户2,"unterminated'
    return HEADER + "\n".join(rows) + "\n"


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
@pytest.mark.parametrize("quote_all", [False, True], ids=["plain", "quoted"])
def test_an_unterminated_quote_is_one_bad_row_at_its_line_and_the_rows_after_it_are_read(
    ws: tw.Workspace, tmp_path: Path, encoding: str, quote_all: bool
) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes(_ten_rows(quote_all).encode(encoding))
    problems = _refused(ws, path)
    assert [p.row for p in problems] == [4]
    assert "opened on line 4 is not closed" in problems[0].problem
    result = tierwise.import_file(ws, "customers", path, allow_bad_rows=True)
    assert (result.rows, result.bad_rows) == (9, 1)
    assert _customers(ws) == [f"K{n}" for n in range(10) if n != 2]
    quarantined = ws.records('SELECT "row", raw FROM quarantine')
    assert [(q["row"], "K3" in str(q["raw"])) for q in quarantined] == [(4, False)]


def test_two_unterminated_quotes_close_each_other_yet_no_row_between_them_is_lost(
    ws: tw.Workspace, tmp_path: Path
) -> None:
    rows = [f"K{n},客户{n},enterprise" for n in range(8)]
    rows[1], rows[5] = 'K1,"unterminated,enterprise', 'K5,客户5,"enterprise'
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    result = tierwise.import_file(ws, "customers", path, allow_bad_rows=True)
    assert result.rows + result.bad_rows == 8
    assert {"K0", "K2", "K3", "K4", "K6", "K7"} <= set(_customers(ws))


def test_an_unterminated_quote_in_the_header_refuses_the_file_with_its_line(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('customer_id,"name,type\nK0,a,enterprise\nK1,b,enterprise\n', encoding="utf-8")
    with pytest.raises((tierwise.ImportRefused, tierwise.DataError, ValueError)) as caught:
        tierwise.import_file(ws, "customers", path)
    assert "line 1" in str(caught.value)


def test_quoted_line_breaks_in_several_cells_and_rows_are_still_kept(ws: tw.Workspace, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    body = 'K0,"北京市\n朝阳区","enterprise"\nK1,"a ""quoted"" word\nand, a comma",enterprise\nK2,c,enterprise\n'
    path.write_bytes((HEADER + body).encode("gbk"))
    result = tierwise.import_file(ws, "customers", path)
    assert (result.rows, result.bad_rows) == (3, 0)
    names = {r["customer_id"]: r["name"] for r in ws.records("SELECT customer_id, name FROM data.customers")}
    assert names == {"K0": "北京市\n朝阳区", "K1": 'a "quoted" word\nand, a comma', "K2": "c"}


def test_an_unterminated_quote_that_runs_past_the_cell_size_limit_still_reads_every_row_after_it(
    ws: tw.Workspace, tmp_path: Path
) -> None:
    rows = [f"K{n},name{n},enterprise" for n in range(20_000)]  # 500 KB after the quote: beyond the cell limit
    rows[2] = 'K2,name2,"unterminated'
    path = tmp_path / "c.csv"
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    result = tierwise.import_file(ws, "customers", path, allow_bad_rows=True)
    assert (result.rows, result.bad_rows) == (19_999, 1)
    assert ws.records('SELECT "row" FROM quarantine') == [{"row": 4}]
