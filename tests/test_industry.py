"""GB/T 4754-2017 industries: the bundled code table, the standards made from it, and left()."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

import tierwise
from tierwise.spec import industry_codes

ROOT = Path(__file__).resolve().parents[1]


def _script() -> object:
    spec = importlib.util.spec_from_file_location("industry_standards", ROOT / "scripts" / "industry_standards.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_code_table_holds_the_20_sections_and_97_divisions_of_the_2017_edition() -> None:
    codes = industry_codes()
    sections = [c for c in codes if c.level == "门类"]
    divisions = [c for c in codes if c.level == "大类"]
    assert [c.code for c in sections] == list("ABCDEFGHIJKLMNOPQRST")
    assert [c.code for c in divisions] == [f"{n:02d}" for n in range(1, 98)]
    assert {c.section for c in divisions} == {c.code for c in sections}
    named = {c.code: c.name for c in codes}
    # the divisions the 2017 edition renamed or added, and both ends
    assert named["05"] == "农、林、牧、渔专业及辅助性活动"
    assert named["11"] == "开采专业及辅助性活动"
    assert named["79"] == "土地管理业"
    assert named["96"] == "基层群众自治组织及其他组织"
    assert (named["01"], named["97"], named["C"], named["T"]) == ("农业", "国际组织", "制造业", "国际组织")
    assert all(name == name.strip() and name for name in named.values())


@pytest.mark.parametrize("standard_id", ["industry-section", "industry-division", "business-member-industry"])
def test_the_industry_standards_are_what_the_table_makes(standard_id: str) -> None:
    script = _script()
    made = script.STANDARDS[standard_id]()  # type: ignore[attr-defined]
    assert tierwise.builtin_path(standard_id).read_text(encoding="utf-8") == made


def test_each_division_falls_in_its_section_and_in_at_most_one_member_group() -> None:
    section = tierwise.load_builtin("industry-section").grade.body.values
    member = tierwise.load_builtin("business-member-industry").grade.body.values
    for entry in industry_codes():
        if entry.level == "大类":
            assert section[entry.code].startswith(entry.section + " ")
    script = _script()
    listed = [n for divisions in script.MEMBER_GROUPS.values() for n in divisions]  # type: ignore[attr-defined]
    assert len(listed) == len(set(listed))
    assert set(member) == {f"{n:02d}" for n in listed}


def test_industry_grades_read_the_first_two_digits_of_any_code_and_report_unknown_codes() -> None:
    customers = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "industry_code": ["3911", "0111", "39", "99", None],
        }
    )
    result = tierwise.evaluate(tierwise.load_builtin("industry-section"), {"customers": customers}, "2026-06-30")
    grades = dict(zip(result.to_pandas()["customer_id"], result.to_pandas()["grade"], strict=True))
    assert grades == {"a": "C 制造业", "b": "A 农、林、牧、渔业", "c": "C 制造业", "d": "未识别", "e": "未识别"}
    assert any("99 (1)" in w for w in result.warnings)
    reason = result.to_pandas().set_index("customer_id").loc["b", "reason"]
    assert reason == "industry_division = 01 → A 农、林、牧、渔业"


def test_codes_with_a_leading_zero_stay_text_when_read_from_a_csv(tmp_path: Path) -> None:
    (tmp_path / "customers.csv").write_text("customer_id,industry_code\n1,0111\n2,3911\n", encoding="gbk")
    result = tierwise.evaluate(tierwise.load_builtin("industry-division"), tmp_path, "2026-06-30")
    assert sorted(result.to_pandas()["grade"]) == ["01 农业", "39 计算机、通信和其他电子设备制造业"]


@pytest.mark.parametrize(
    ("expr", "problem"),
    [
        ("left(industry_code, 0)", "The second argument of left() must be a whole number of characters"),
        ("left(industry_code, 1.5)", "The second argument of left() must be a whole number of characters"),
        ("left(industry_code)", "left"),
    ],
)
def test_left_takes_a_whole_number_of_characters(expr: str, problem: str) -> None:
    text = f"""tierwise: 1
id: t
name: t
version: "1"
grades: [A, B]
indicators: {{d: {{expr: "{expr}"}}}}
grade: {{map: {{on: d, values: {{"3": A}}, otherwise: B}}}}
"""
    customers = pd.DataFrame({"customer_id": ["a"], "industry_code": ["3911"]})
    with pytest.raises(tierwise.StandardError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        tierwise.evaluate(tierwise.loads_standard(text), {"customers": customers}, "2026-06-30")
