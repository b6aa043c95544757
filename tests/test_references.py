"""``standard:`` references between files of one folder, and checking names against data."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import CDNOW, EXAMPLES, run_cli, write_standard

import tierwise

HEAD = 'tierwise: 1\nid: {id}\nname: {id}\nversion: "1"\n'


def test_standards_referring_to_each_other_in_a_circle_are_refused(tmp_path: Path) -> None:
    write_standard(
        tmp_path,
        HEAD.format(id="a") + "grades: [x, y]\nindicators: {other: {standard: b}}\n"
        "grade: {map: {on: other, values: {x: x}, otherwise: y}}\n",
    )
    write_standard(
        tmp_path,
        HEAD.format(id="b") + "grades: [x, y]\nindicators: {other: {standard: a}}\n"
        "grade: {map: {on: other, values: {x: x}, otherwise: y}}\n",
    )
    with pytest.raises(
        tierwise.StandardError, match=r"b\.yaml:6: The standards refer to each other in a circle: a -> b -> a"
    ):
        tierwise.load_standard(tmp_path / "a.yaml")


def test_unknown_standard_reference_suggests_a_file_in_the_folder(tmp_path: Path) -> None:
    write_standard(tmp_path, HEAD.format(id="value-grade") + "grades: [x]\ngrade: {map: {on: v, values: {x: x}}}\n")
    write_standard(
        tmp_path,
        HEAD.format(id="main") + "grades: [x, y]\nindicators: {other: {standard: value-grde}}\n"
        "grade: {map: {on: other, values: {x: x}, otherwise: y}}\n",
    )
    with pytest.raises(
        tierwise.StandardError, match=r"No standard with id 'value-grde' .* Did you mean 'value-grade'\?"
    ):
        tierwise.load_standard(tmp_path / "main.yaml")


def test_check_with_data_finds_unknown_columns(tmp_path: Path) -> None:
    path = write_standard(
        tmp_path,
        HEAD.format(id="typo")
        + """grades: [A, C]
indicators: {spend: {from: transactions, agg: sum(amont)}}
grade: {ladder: {on: spend, steps: [{grade: A, at_least: 100}, {grade: C}]}}
""",
    )
    assert run_cli("check", str(path)).returncode == 0  # the names can only be checked against data
    result = run_cli("check", str(path), "--data", str(CDNOW))
    assert result.returncode == 1
    assert "typo.yaml:6:" in result.stderr
    assert "Unknown name 'amont'" in result.stderr
    assert "Did you mean 'amount'?" in result.stderr


def test_explain_walks_nested_graders(tmp_path: Path) -> None:
    result = tierwise.evaluate(EXAMPLES / "standards" / "cdnow-value.yaml", CDNOW, "1998-06-30", lang="en")
    frame = result.to_pandas()
    repeat = frame[frame["orders_12m"] >= 3].iloc[0]["customer_id"]
    once = frame[frame["orders_12m"] < 3].iloc[0]["customer_id"]
    steps = result.explain(repeat).steps
    assert steps[0].startswith("✓ rule 1: orders_12m >= 3")
    assert steps[1].startswith("  ")
    steps = result.explain(once).steps
    assert steps[0].startswith("✗ rule 1")
    assert steps[1] == "✓ otherwise:"
    assert steps[2].startswith("  ")
