"""Exact figures: sums, shares and gaps without binary-float noise, whatever the amounts' type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pandas as pd
from tests.conftest import run_cli, write_standard

import tierwise

STANDARD = """
tierwise: 1
id: sales
name: 销售分级
version: "1"
grades: [A, B]
indicators:
  sales: {from: transactions, agg: sum(amount)}
grade: {ladder: {on: sales, steps: [{grade: A, at_least: 1000000}, {grade: B}]}}
"""


def _evaluate(tmp_path: Path, amounts: list[object]) -> tierwise.Evaluation:
    path = write_standard(tmp_path, STANDARD)
    rows = pd.DataFrame(
        {
            "customer_id": [f"C{i % 3}" for i in range(len(amounts))],
            "date": [dt.date(2026, 1, 5)] * len(amounts),
            "amount": amounts,
        }
    )
    return tierwise.evaluate(path, data={"transactions": rows}, as_of="2026-03-31")


def test_sums_in_the_summary_are_exact_decimals(tmp_path: Path) -> None:
    amounts = [0.1, 0.2, 90_189_893.98, 0.3, 90_189_893.98, 90_189_893.38]
    rows = _evaluate(tmp_path, amounts).summary().to_dict("records")
    total = sum(r["value_sum"] for r in rows)
    assert total == Decimal("270569681.94")
    assert str(total) == "270569681.94"


def test_whole_number_amounts_give_totals_and_shares(tmp_path: Path) -> None:
    rows = _evaluate(tmp_path, [2_000_000, 5, 7, 3_000_000, 1, 1]).summary().to_dict("records")
    by_grade = {r["grade"]: r for r in rows}
    assert by_grade["A"]["value_sum"] == Decimal(5_000_000)
    assert by_grade["B"]["value_sum"] == Decimal(14)
    assert by_grade["A"]["value_share"] is not None
    assert abs(by_grade["A"]["value_share"] + by_grade["B"]["value_share"] - 1) < 1e-12


def test_the_gap_to_the_next_grade_has_no_float_noise(tmp_path: Path) -> None:
    table = _evaluate(tmp_path, [443_359.66, 0, 0]).to_pandas().set_index("customer_id")
    assert repr(float(table.loc["C0", "gap_to_next"])) == "556640.34"


def test_the_cli_summary_prints_the_total_of_whole_number_amounts(tmp_path: Path) -> None:
    path = write_standard(tmp_path, STANDARD)
    data = tmp_path / "d"
    data.mkdir()
    (data / "transactions.csv").write_text(
        "customer_id,date,amount\nA,2026-01-05,2000000\nB,2026-01-05,7\n", encoding="utf-8"
    )
    result = run_cli("evaluate", str(path), "--data", str(data), "--as-of", "2026-03-31")
    assert result.returncode == 0, result.stderr
    assert "2,000,007" in result.stdout
