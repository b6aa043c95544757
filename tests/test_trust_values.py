"""Values that grade correctly: unknown map values and rating words are reported; declared synonyms count."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from tests.conftest import EXAMPLES, run_cli, write_standard

import tierwise
import tierwise.workspace as tw

MAP = """
tierwise: 1
id: levels
name: 机构分层
version: "1"
grades: [大型, 中型, 小型]
grade:
  map:
    on: admin_level
    values: {省级: 大型, 市级: 中型}
    otherwise: 小型
"""
SCORE = """
tierwise: 1
id: score
name: 评分
version: "1"
grades: [A, B]
grade:
  scorecard:
    criteria:
      - {name: 质量, weight: 100, on: rating, points: {好: 100, 一般: 60, 差: 40}, synonyms: {普通: 一般}}
    steps: [{grade: A, at_least: 50}, {grade: B}]
"""


def _customers(**columns: list[object]) -> dict[str, pd.DataFrame]:
    return {
        "customers": pd.DataFrame(
            {"customer_id": [f"C{i}" for i in range(len(next(iter(columns.values()))))], **columns}
        )
    }


def test_a_map_reports_the_values_it_does_not_list_with_counts_and_examples(tmp_path: Path) -> None:
    path = write_standard(tmp_path, MAP)
    data = _customers(admin_level=["省级", "省部级", "省部级", "地市级", None, "市级"])
    result = tierwise.evaluate(path, data=data, as_of="2026-03-31")
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert "the map on 'admin_level'" in warning.lower()
    assert f"{path}:7" in warning
    assert "2 value(s)" in warning
    assert "省部级 (2), 地市级 (1)" in warning
    assert "for 3 customer(s)" in warning


def test_a_map_that_knows_every_value_says_nothing(tmp_path: Path) -> None:
    path = write_standard(tmp_path, MAP)
    result = tierwise.evaluate(path, data=_customers(admin_level=["省级", None]), as_of="2026-03-31")
    assert result.warnings == []


def test_the_builtin_institution_tier_knows_the_levels_of_the_example_data() -> None:
    result = tierwise.evaluate(tierwise.builtin_path("institution-tier"), data=EXAMPLES / "b2b", as_of="2026-03-31")
    assert result.warnings == []
    grades = dict(zip(result.to_pandas()["customer_id"], result.to_pandas()["grade"], strict=True))
    assert "小型" not in grades.values() or len(set(grades.values())) > 1


def test_a_rating_synonym_scores_as_the_word_it_stands_for_and_unknown_words_are_reported(tmp_path: Path) -> None:
    path = write_standard(tmp_path, SCORE)
    result = tierwise.evaluate(path, data=_customers(rating=["普通", "一般", "优秀"]), as_of="2026-03-31")
    grades = dict(zip(result.to_pandas()["customer_id"], result.to_pandas()["grade"], strict=True))
    assert grades == {"C0": "A", "C1": "A", "C2": "B"}
    assert len(result.warnings) == 1
    assert "Criterion '质量'" in result.warnings[0]
    assert "优秀 (1)" in result.warnings[0]


def test_a_synonym_for_a_word_the_scale_does_not_have_is_refused_with_its_line(tmp_path: Path) -> None:
    path = write_standard(tmp_path, SCORE.replace("{普通: 一般}", "{普通: 中等}"))
    result = run_cli("check", str(path))
    assert result.returncode == 1
    assert f"{path}:9" in result.stderr
    assert "普通: 中等" in result.stderr


def test_the_builtin_composite_scores_putong_as_yiban() -> None:
    criteria = tierwise.load_builtin("composite-8").grade.body.criteria
    assert all(c.synonyms == {"普通": "一般"} for c in criteria)


def test_evaluate_and_run_print_the_warning(tmp_path: Path) -> None:
    path = write_standard(tmp_path, MAP)
    data = tmp_path / "d"
    data.mkdir()
    (data / "customers.csv").write_text("customer_id,admin_level\nC1,省部级\nC2,省级\n", encoding="utf-8")
    result = run_cli("evaluate", str(path), "--data", str(data), "--as-of", "2026-03-31")
    assert result.returncode == 0
    assert "Warning: The map on 'admin_level'" in result.stderr
    ws = tw.Workspace.init(tmp_path / "ws")
    tierwise.import_file(ws, "customers", data / "customers.csv")
    ran = run_cli("run", str(path), "--as-of", "2026-03-31", "-w", str(ws.root))
    assert ran.returncode == 0, ran.stderr
    assert "省部级 (1)" in ran.stderr
    audit = next(r for r in ws.audit_records() if r["action"] == "run")
    assert "省部级" in audit["detail"]
    assert dt.date.today() >= dt.date(2026, 3, 31)


STRICT = """
tierwise: 1
id: strict
name: strict
version: "1"
grades: [A, B]
indicators:
  orders: {from: transactions, agg: count()}
  sales: {from: transactions, agg: sum(amount)}
grade:
  rules:
    - when: "orders >= 0"
      then: {ladder: {on: ON, steps: [{grade: A, above: 2}, {grade: B}]}}
    - otherwise: B
"""


def test_at_a_strict_bound_the_gap_is_the_smallest_step_past_it_not_zero(tmp_path: Path) -> None:
    transactions = pd.DataFrame(
        {"customer_id": ["C1", "C1", "C2"], "date": [dt.date(2026, 1, 5)] * 3, "amount": [1.0, 1.0, 0.5]}
    )
    for on, expected in (("orders", {"C1": 1.0, "C2": 2.0}), ("sales", {"C1": 0.000001, "C2": 1.500001})):
        path = write_standard(tmp_path, STRICT.replace("ON", on))
        table = tierwise.evaluate(path, data={"transactions": transactions}, as_of="2026-03-31").to_pandas()
        assert dict(zip(table["customer_id"], table["gap_to_next"], strict=True)) == expected
