"""Several standards at once: one pass over each table, the same rows as one at a time."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

import tierwise
from tierwise.demo import AS_OF, generate
from tierwise.engine import load_data

IDS = ("rfm-8", "abc-pareto", "customer-pyramid", "credit-rating", "pipeline-a-to-e", "value-potential-urgency")


@pytest.fixture(scope="module")
def demo() -> tuple[Any, dict[str, Any]]:
    con = tierwise.connect()
    return con, load_data(con, generate(customers=800, seed=3))


def _sorted(table: pa.Table) -> pa.Table:
    return table.sort_by("customer_id")


def test_evaluate_many_gives_exactly_the_rows_of_separate_evaluations(demo: tuple[Any, dict[str, Any]]) -> None:
    con, tables = demo
    standards = [tierwise.load_builtin(i) for i in IDS]
    together = tierwise.evaluate_many(standards, tables, AS_OF, con=con)
    for standard, result in zip(standards, together, strict=True):
        alone = tierwise.evaluate(standard, tables, AS_OF, con=con)
        assert _sorted(result.to_arrow()).equals(_sorted(alone.to_arrow())), standard.id


def test_the_same_standard_on_the_same_data_gives_identical_rows(demo: tuple[Any, dict[str, Any]]) -> None:
    con, tables = demo
    standard = tierwise.load_builtin("value-potential-urgency")
    first = tierwise.evaluate(standard, tables, AS_OF, con=con).to_arrow()
    again = tierwise.evaluate(standard, tables, AS_OF, con=con).to_arrow()
    assert _sorted(first).equals(_sorted(again))


def test_explain_works_after_evaluate_many(demo: tuple[Any, dict[str, Any]]) -> None:
    con, tables = demo
    results = tierwise.evaluate_many([tierwise.load_builtin(i) for i in IDS[:2]], tables, AS_OF, con=con)
    customer = results[1].to_pandas()["customer_id"].iloc[0]
    explanation = results[1].explain(customer)
    assert explanation.grade == results[1].to_pandas().set_index("customer_id").loc[customer, "grade"]
    assert any(step.startswith("✓") for step in explanation.steps)


def test_reasons_can_be_left_out_when_only_grades_are_needed(demo: tuple[Any, dict[str, Any]]) -> None:
    con, tables = demo
    standard = tierwise.load_builtin("abc-pareto")
    full = tierwise.evaluate(standard, tables, AS_OF, con=con).to_pandas().sort_values("customer_id")
    bare = tierwise.evaluate(standard, tables, AS_OF, con=con, reasons=False).to_pandas().sort_values("customer_id")
    assert list(bare["grade"]) == list(full["grade"])
    assert bare["reason"].isna().all()
    assert full["reason"].notna().all()


def test_evaluate_many_reports_every_broken_standard_at_once(tmp_path: Any) -> None:
    bad = []
    for ident in ("one", "two"):
        path = tmp_path / f"{ident}.yaml"
        path.write_text(
            f'tierwise: 1\nid: {ident}\nname: x\nversion: "1"\ngrades: [A, B]\n'
            "indicators: {s: {from: orders, agg: sum(amount)}}\n"
            "grade: {ladder: {on: s, steps: [{grade: A, at_least: 1}, {grade: B}]}}\n",
            encoding="utf-8",
        )
        bad.append(path)
    with pytest.raises(tierwise.StandardError) as info:
        tierwise.evaluate_many(bad, tierwise.demo.CDNOW, "1998-06-30")
    assert {p.file.rsplit("/", 1)[-1] for p in info.value.problems} == {"one.yaml", "two.yaml"}
