"""Every mistake is reported at once, located, with the bad value and a fix (snapshots)."""

from __future__ import annotations

import textwrap

import pytest
from syrupy.assertion import SnapshotAssertion

import tierwise

HEAD = 'tierwise: 1\nid: bad\nname: 错误示例\nversion: "1"\n'

CASES = {
    "unknown_key_did_you_mean": HEAD
    + """
grades: [VIP, C]
indicators: {sales: {from: transactions, agg: sum(amount)}}
grade:
  ladder:
    on: sales
    step: [{grade: VIP, at_least: 100}, {grade: C}]
""",
    "non_monotone_ladder": HEAD
    + """
grades: [VIP, A, C]
indicators: {sales: {from: transactions, agg: sum(amount)}}
grade:
  ladder:
    on: sales
    steps:
      - {grade: VIP, at_least: 500万}
      - {grade: A, at_least: 800万}
      - {grade: C}
""",
    "mixed_directions": HEAD
    + """
grades: [A, B, C]
indicators: {days: {attribute: days}}
grade: {ladder: {on: days, steps: [{grade: A, at_most: 30}, {grade: B, at_least: 90}, {grade: C}]}}
""",
    "grade_not_in_grades": HEAD
    + """
grades: [VIP, A, C]
indicators: {sales: {attribute: sales}}
grade: {ladder: {on: sales, steps: [{grade: VIP, at_least: 100}, {grade: AA, at_least: 50}, {grade: C}]}}
""",
    "weights_not_100": HEAD
    + """
grades: [A, B]
grade:
  scorecard:
    criteria:
      - {name: 销售实现, weight: 20, on: r1, points: {好: 100, 差: 40}}
      - {name: 资信度, weight: 15, on: r2, points: {好: 100, 差: 40}}
    steps: [{grade: A, at_least: 60}, {grade: B}]
""",
    "rfm_uncovered": HEAD
    + """
grades: [重要价值客户, 一般挽留客户]
grade:
  rfm:
    recency: r
    frequency: f
    monetary: m
    split: mean
    segments:
      - {grade: 重要价值客户, r: high, f: high, m: high}
      - {grade: 一般挽留客户, r: low, f: low, m: low}
""",
    "rules_without_otherwise": HEAD
    + """
grades: [A, C]
grade:
  rules:
    - {when: "sales >= 100", then: A}
""",
    "unknown_function_and_bad_literal": HEAD
    + """
grades: [A, C]
indicators:
  sales: {from: transactions, agg: sume(amount), window: 12 monts}
  big: {from: transactions, agg: count(), where: "amount >= 10x"}
grade: {ladder: {on: sales, steps: [{grade: A, at_least: 1000万元}, {grade: C}]}}
""",
    "indicator_cycle": HEAD
    + """
grades: [A, C]
indicators:
  a: {expr: "b + 1"}
  b: {expr: "a * 2"}
grade: {ladder: {on: a, steps: [{grade: A, at_least: 1}, {grade: C}]}}
""",
    "not_yaml": HEAD + "grades: [A, C\ngrade: {}\n",
    "unquoted_version": "tierwise: 1\nid: bad\nname: x\nversion: 2026.10\ngrades: [A]\ngrade: {map: {on: x, values: {a: A}}}\n",
    "matrix_cell_label": HEAD
    + """
grades: [重点, 常规]
grade:
  matrix:
    dimensions:
      value: {ladder: {on: sales, steps: [{grade: 高, at_least: 10}, {grade: 低}]}}
    cells:
      - {value: 中, grade: 重点}
    otherwise: 常规
""",
    "hostile_reader_limits": HEAD
    + """
grades: [A, C]
base: &base {from: transactions, agg: sum(amount)}
indicators:
  sales: {<<: *base, window: 12 months}
  score: {expr: '"""
    + "not " * 60
    + """sales > 1'}
grade: {ladder: {on: sales, steps: [{grade: A, at_least: 1"""
    + "0" * 30
    + """}, {grade: C}]}}
extra: !custom x
""",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_message_is_located_and_suggests_a_fix(case: str, snapshot: SnapshotAssertion) -> None:
    with pytest.raises(tierwise.StandardError) as info:
        tierwise.loads_standard(CASES[case], file="bad.yaml")
    assert all(p.line is not None for p in info.value.problems)
    assert str(info.value) == snapshot


def test_check_reports_three_problems_for_three_mistakes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_cli

    path = tmp_path / "vip.yaml"
    path.write_text(
        HEAD
        + textwrap.dedent("""
        grades: [VIP, A, C]
        indicators: {sales: {from: transactions, agg: sum(amount), windw: 12 months}}
        grade:
          ladder:
            on: sales
            steps:
              - {grade: VIP, at_least: 500万}
              - {grade: A, at_least: 800万}
              - {grade: B}
        """),
        encoding="utf-8",
    )
    result = run_cli("check", str(path))
    assert result.returncode == 1, result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 3, result.stderr
    assert f"{path}:7: Unknown key 'windw' in indicator 'sales'. Did you mean 'window'?" in errors[0]
    assert f"{path}:13:" in errors[1]
    assert "must be less than step 1's (5,000,000). Got 8,000,000 instead" in errors[1]
    assert f"{path}:14: The grade 'B' in step 3" in errors[2]
    assert "3 problem(s) found." in result.stderr
