"""One reader for every input: import, evaluate --data DIR, DataFrames and a workspace grade alike."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from tests.conftest import run_cli, write_standard

import tierwise
import tierwise.workspace as tw

STANDARD = """
tierwise: 1
id: sales
name: 销售分级
version: "1"
grades: [VIP, A, B]
indicators:
  sales: {from: transactions, agg: sum(amount)}
  assets: {attribute: total_assets}
grade:
  rules:
    - when: "assets >= 1000000"
      then: VIP
    - when: "sales >= 100000"
      then: A
    - otherwise: B
"""
CUSTOMERS = "客户编号,客户名称,总资产(万元)\n00123,甲公司,150\nK2,乙公司,5\nK3,丙公司,1\n"
TRANSACTIONS = '客户编号,交易日期,金额\n00123,2026年1月5日,1万\nK2,2026/2/1,12.3万\nK3,2026-03-01,"1,234.50"\n'
EXPECTED = {"00123": "VIP", "K2": "A", "K3": "B"}


def _folder(tmp_path: Path, encoding: str = "gb18030") -> Path:
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    (folder / "customers.csv").write_bytes(CUSTOMERS.encode(encoding))
    (folder / "transactions.csv").write_bytes(TRANSACTIONS.encode(encoding))
    return folder


def _grades(result: tierwise.Evaluation) -> dict[str, str]:
    table = result.to_pandas()
    return dict(zip(table["customer_id"], table["grade"], strict=True))


def test_evaluate_data_dir_reads_chinese_headers_units_and_business_values(tmp_path: Path) -> None:
    path = write_standard(tmp_path, STANDARD)
    result = tierwise.evaluate(path, data=_folder(tmp_path), as_of="2026-03-31")
    assert _grades(result) == EXPECTED
    sales = dict(zip(result.to_pandas()["customer_id"], result.to_pandas()["sales"], strict=True))
    assert sales == {"00123": 10_000, "K2": 123_000, "K3": 1_234.5}


def test_evaluate_with_dataframes_reads_them_as_an_import_would(tmp_path: Path) -> None:
    path = write_standard(tmp_path, STANDARD)
    customers = pd.DataFrame({"客户编号": ["00123", "K2", "K3"], "总资产(万元)": [150, 5, 1]})
    transactions = pd.DataFrame(
        {
            "客户编号": ["00123", "K2", "K3"],
            "交易日期": ["2026年1月5日", "2026/2/1", "2026-03-01"],
            "金额": ["1万", "12.3万", "1,234.50"],
        }
    )
    result = tierwise.evaluate(path, data={"customers": customers, "transactions": transactions}, as_of="2026-03-31")
    assert _grades(result) == EXPECTED


def test_a_workspace_folder_is_data_for_the_api_and_the_cli(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    ws = tw.Workspace.init(tmp_path / "ws")
    for name in ("customers", "transactions"):
        tierwise.import_file(ws, name, folder / f"{name}.csv")
    path = write_standard(tmp_path, STANDARD)
    assert _grades(tierwise.evaluate(path, data=ws.root, as_of="2026-03-31")) == EXPECTED
    assert _grades(tierwise.evaluate(path, data=str(ws.root), as_of="2026-03-31")) == EXPECTED
    run = tw.run_standard(ws, path, "2026-03-31")
    assert {r["customer_id"]: r["grade"] for r in tw.run_rows(ws, run.id)} == EXPECTED


def test_a_bad_cell_in_a_data_folder_names_its_row_and_column(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "utf-8")
    (folder / "transactions.csv").write_text("客户编号,交易日期,金额\nK2,2026/2/1,十二万\n", encoding="utf-8")
    path = write_standard(tmp_path, STANDARD)
    result = run_cli("evaluate", str(path), "--data", str(folder), "--as-of", "2026-03-31")
    assert result.returncode == 1
    assert "row 2, amount '十二万': not a number" in result.stderr


TAIWAN = (  # a Big5 export: traditional characters, which have no simplified 户/额, so English headers
    "customer_id,名稱,total_assets\n00123,臺北公司,1500000\nK2,高雄公司,50000\nK3,臺中公司,10000\n",
    'customer_id,date,amount\n00123,2026年1月5日,10000\nK2,2026/2/1,123000\nK3,2026-03-01,"1,234.50"\n',
)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030", "big5"])
def test_the_cli_grades_a_data_folder_in_any_encoding_it_reads(tmp_path: Path, encoding: str) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    customers, transactions = TAIWAN if encoding == "big5" else (CUSTOMERS, TRANSACTIONS)
    (folder / "customers.csv").write_bytes(customers.encode(encoding))
    (folder / "transactions.csv").write_bytes(transactions.encode(encoding))
    path = write_standard(tmp_path, STANDARD)
    result = run_cli("evaluate", str(path), "--data", str(folder), "--as-of", "2026-03-31")
    assert result.returncode == 0, result.stderr
    assert " VIP " in result.stdout
