"""The boundary rules of LANGUAGE.md §4 and §6, one test each."""

from __future__ import annotations

import pytest
from tests.conftest import Grades

HEAD = 'tierwise: 1\nid: edge\nname: 边界\nversion: "1"\n'


def ladder(key: str, grades: str = "[A, B, C]", bounds: tuple[float, float] = (100, 50), extra: str = "") -> str:
    return (
        HEAD
        + f"""grades: {grades}
indicators: {{v: {{attribute: v}}}}
{extra}grade: {{ladder: {{on: v, steps: [{{grade: A, {key}: {bounds[0]}}}, {{grade: B, {key}: {bounds[1]}}}, {{grade: C}}]}}}}
"""
    )


def people(*values: float | None) -> dict[str, list[dict[str, object]]]:
    return {"customers": [{"customer_id": f"c{i}", "v": v} for i, v in enumerate(values)]}


def test_ladder_equal_to_bound_takes_higher_grade(grades: Grades) -> None:
    assert grades(ladder("at_least"), people(100, 99.99, 50)) == {"c0": "A", "c1": "B", "c2": "B"}


def test_ladder_above_excludes_the_bound(grades: Grades) -> None:
    assert grades(ladder("above"), people(100, 100.01, 50.5)) == {"c0": "B", "c1": "A", "c2": "B"}


def test_ladder_at_most_for_lower_is_better(grades: Grades) -> None:
    assert grades(ladder("at_most", bounds=(10, 30)), people(10, 11, 30, 31)) == {
        "c0": "A",
        "c1": "B",
        "c2": "B",
        "c3": "C",
    }


def test_ladder_below_excludes_the_bound(grades: Grades) -> None:
    assert grades(ladder("below", bounds=(10, 30)), people(9.9, 10, 30)) == {"c0": "A", "c1": "B", "c2": "C"}


def test_null_deciding_value_takes_the_last_grade_by_default(grades: Grades) -> None:
    assert grades(ladder("at_least"), people(None)) == {"c0": "C"}


def test_null_deciding_value_takes_the_missing_grade_when_set(grades: Grades) -> None:
    text = ladder("at_least", grades="[A, B, C, 待定]", extra="missing: 待定\n")
    assert grades(text, people(None, 100)) == {"c0": "待定", "c1": "A"}


def test_gap_to_next_is_what_is_missing_to_the_next_bound(grades: Grades) -> None:
    got = grades(ladder("at_least"), people(120, 70, 10), column="gap_to_next")
    assert got["c1"] == pytest.approx(30)
    assert got["c2"] == pytest.approx(40)
    assert got["c0"] != got["c0"] or got["c0"] is None  # the top grade has no next grade
    nxt = grades(ladder("at_least"), people(120, 70, 10), column="next_grade")
    assert nxt["c1"] == "A"
    assert nxt["c2"] == "B"


def test_division_by_zero_gives_null_not_an_error(grades: Grades) -> None:
    text = (
        HEAD
        + """grades: [A, C]
indicators:
  a: {attribute: a}
  b: {attribute: b}
  rate: {expr: "a / b"}
grade: {ladder: {on: rate, steps: [{grade: A, at_least: 1}, {grade: C}]}}
"""
    )
    tables = {"customers": [{"customer_id": "x", "a": 5, "b": 0}, {"customer_id": "y", "a": 5, "b": 2}]}
    rate = grades(text, tables, column="rate")
    assert rate["y"] == 2.5
    assert rate["x"] is None or rate["x"] != rate["x"]
    assert grades(text, tables) == {"x": "C", "y": "A"}


WINDOWED = (
    HEAD
    + """grades: [A, C]
indicators:
  s: {{from: transactions, agg: sum(amount), window: {window}}}
grade: {{ladder: {{on: s, steps: [{{grade: A, at_least: 1}}, {{grade: C}}]}}}}
"""
)


@pytest.mark.parametrize(
    ("window", "counted"),
    [
        ("30 days", {"2026-03-31": 1, "2026-03-02": 1}),  # as_of - 30 days = 2026-03-01 is out
        ("calendar_year", {"2025-01-01": 1, "2025-06-01": 1, "2025-06-30": 1, "2025-12-31": 1}),
        ("{from: 2025-06-01, to: 2025-06-30}", {"2025-06-01": 1, "2025-06-30": 1}),
        (
            "all",
            {
                "2020-01-01": 1,
                "2025-01-01": 1,
                "2025-06-01": 1,
                "2025-06-30": 1,
                "2025-12-31": 1,
                "2026-03-01": 1,
                "2026-03-02": 1,
                "2026-03-31": 1,
            },
        ),
    ],
)
def test_window_selects_exactly_its_rows(grades: Grades, window: str, counted: dict[str, int]) -> None:
    days = [
        "2020-01-01",
        "2025-01-01",
        "2025-06-01",
        "2025-06-30",
        "2025-12-31",
        "2026-03-01",
        "2026-03-02",
        "2026-03-31",
        "2026-04-01",
    ]
    tx = [{"customer_id": d, "date": d, "amount": 1} for d in days]
    customers = [{"customer_id": d} for d in days]
    got = grades(WINDOWED.format(window=window), {"customers": customers, "transactions": tx}, column="s")
    assert {d: v for d, v in got.items() if v} == counted


def test_rows_after_as_of_never_count_even_without_window(grades: Grades) -> None:
    tx = [
        {"customer_id": "a", "date": "2026-04-01", "amount": 5},
        {"customer_id": "a", "date": "2026-03-31", "amount": 1},
    ]
    got = grades(WINDOWED.format(window="all"), {"transactions": tx}, column="s")
    assert got == {"a": 1}


def test_customers_come_from_the_tables_rows_up_to_as_of_when_there_is_no_customers_table(grades: Grades) -> None:
    tx = [
        {"customer_id": "a", "date": "2026-01-01", "amount": 5},
        {"customer_id": "b", "date": "2026-04-01", "amount": 5},  # after the as-of date: not a customer yet
    ]
    assert grades(WINDOWED.format(window="all"), {"transactions": tx}) == {"a": "A"}


def test_population_leaves_out_customers_where_it_is_false_or_null(grades: Grades) -> None:
    text = ladder("at_least", extra="population: \"kind == 'corp'\"\n")
    tables = {
        "customers": [
            {"customer_id": "1", "kind": "corp", "v": 1},
            {"customer_id": "2", "kind": "person", "v": 1},
            {"customer_id": "3", "kind": None, "v": 1},
        ]
    }
    assert grades(text, tables) == {"1": "C"}


def test_pareto_nested_in_a_rule_ranks_only_the_customers_of_that_rule(grades: Grades) -> None:
    text = (
        HEAD
        + """grades: [A, B, C]
indicators: {v: {attribute: v}}
grade:
  rules:
    - when: "big"
      then: {pareto: {on: v, classes: [{grade: A, up_to: 50%}, {grade: B}]}}
    - otherwise: C
"""
    )
    tables = {
        "customers": [
            {"customer_id": "x", "big": True, "v": 10},
            {"customer_id": "y", "big": True, "v": 10},
            {"customer_id": "z", "big": False, "v": 1000},
        ]
    }
    # among big customers only: x has 0% before it (A), y has 50% (not < 50%: B); z is not ranked
    assert grades(text, tables) == {"x": "A", "y": "B", "z": "C"}


def test_reason_reads_as_a_sentence_in_both_languages(grades: Grades) -> None:
    zh = grades(ladder("at_least", bounds=(10_000_000, 5_000_000)), people(12_345_678, None), column="reason")
    en = grades(
        ladder("at_least", bounds=(10_000_000, 5_000_000)), people(12_345_678, None), column="reason", lang="en"
    )
    assert zh["c0"] == "v = 12,345,678 ≥ 1000万 → A"
    assert en["c0"] == "v = 12,345,678 ≥ 10,000,000 → A"
    assert zh["c1"] == "v 无数据 → C"
    assert en["c1"] == "v has no value → C"
