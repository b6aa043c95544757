"""Hostile standard files end in one located error, fast; whatever check accepts, evaluate runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import run_cli
from tests.fuzzing import mutate_standard, verdict

import tierwise
from tierwise.demo import AS_OF, generate

HEAD = 'tierwise: 1\nid: bomb\nname: x\nversion: "1"\ngrades: [A]\n'
GRADE = "grade: {rules: [{otherwise: A}]}\n"


def _alias_bomb(levels: int = 8, width: int = 9) -> str:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [{', '.join(f'*a{level - 1}' for _ in range(width))}]")
    return HEAD + "description: x\nextra:\n" + "\n".join("  " + line for line in lines) + "\n" + GRADE


def _problems(text: str) -> list[tierwise.Problem]:
    with pytest.raises(tierwise.StandardError) as caught:
        tierwise.loads_standard(text, file="hostile.yaml")
    return caught.value.problems


def test_billion_laughs_is_refused_with_the_line_of_an_alias() -> None:
    text = _alias_bomb()
    assert len(text.encode()) < 2000
    problems = _problems(text)  # refused before expanding: the expansion itself would never end
    assert any("aliases" in p.message for p in problems), problems
    assert all(p.line is not None for p in problems)


def test_billion_laughs_through_the_cli_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb(), encoding="utf-8")
    result = run_cli("check", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {path}:")
    assert "Traceback" not in result.stderr


def test_small_aliases_that_a_person_writes_still_work() -> None:
    text = (
        HEAD.replace("[A]", "[A, B]")
        + "indicators:\n  s: {from: transactions, agg: sum(amount)}\n"
        + "grade:\n  ladder:\n    on: s\n    steps:\n      - &top {grade: A, at_least: 100}\n      - {grade: B}\n"
    )
    assert tierwise.loads_standard(text).grades == ["A", "B"]


def test_deep_nesting_is_refused_with_its_line_not_a_recursion_error() -> None:
    depth = 5000
    text = HEAD + "description: x\nextra: " + "[" * depth + "]" * depth + "\n" + GRADE
    problems = _problems(text)
    assert any("levels deep" in p.message for p in problems), problems
    assert problems[0].line == 7
    assert "recursion" not in str(problems)


@pytest.mark.parametrize(
    ("char", "name"),
    [("\x00", "U+0000"), ("\x07", "U+0007"), ("\ufffe", "U+FFFE"), ("\x1b", "U+001B")],
)
def test_control_and_non_characters_are_reported_with_line_and_column(char: str, name: str) -> None:
    text = HEAD + f"description: ab{char}cd\n" + GRADE
    problems = _problems(text)
    assert len(problems) == 1
    assert problems[0].line == 6
    assert name in problems[0].message
    assert "column 16" in problems[0].message


def test_a_lone_surrogate_in_an_escape_is_reported_with_its_line() -> None:
    text = HEAD + 'description: "ab\\ud800cd"\n' + GRADE
    problems = _problems(text)
    assert problems[0].line == 6
    assert "U+D800" in problems[0].message


def test_a_file_with_a_lone_surrogate_byte_sequence_is_refused_by_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(HEAD.encode() + b"description: ab\xed\xa0\x80cd\n" + GRADE.encode())
    result = run_cli("check", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith("Error: ")
    assert "UnicodeEncodeError" not in result.stderr
    assert "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, Any]:
    return generate(customers=150, seed=11)


@settings(max_examples=60, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    standard=st.sampled_from(tierwise.builtin_ids()),
    rng=st.randoms(use_true_random=False),
    rounds=st.integers(min_value=1, max_value=3),
)
def test_whatever_check_accepts_evaluate_runs_or_reports_a_located_error(
    demo_tables: dict[str, Any], standard: str, rng: Any, rounds: int
) -> None:
    text = mutate_standard(tierwise.builtin_path(standard).read_text(encoding="utf-8"), rng, rounds)
    outcome = verdict(text, demo_tables, AS_OF)
    assert not outcome.startswith("crash"), f"{outcome}\n--- the mutated standard:\n{text}"


def test_the_two_fuzzed_files_of_the_issue_now_end_in_a_located_error(demo_tables: dict[str, Any]) -> None:
    text = (
        tierwise.builtin_path("rfm-8")
        .read_text(encoding="utf-8")
        .replace("frequency: frequency_12m", "frequency: \"__import__('os')\"")
    )
    assert verdict(text, demo_tables, AS_OF) == "located"
    renamed = tierwise.builtin_path("rfm-8").read_text(encoding="utf-8").replace("frequency_12m: {", "frequency_12e: {")
    assert verdict(renamed, demo_tables, AS_OF) == "located"
