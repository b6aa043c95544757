"""Customer profile quality: required fields, allowed values and ranges, stale profiles, complete-only standards."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook
from tests.conftest import run_cli

import tierwise
import tierwise.workspace as tw
from tierwise.spec import loads_profile

PROFILE = """tierwise: 1
profile:
  customers:
    updated: updated_at
    stale_after: 12 months
    fields:
      name:   {label: 客户名称, layer: 基本信息层}
      region: {layer: 基本信息层, values: [华东, 华南]}
      staff:  {layer: 基本信息层, min: 1, max: 1000}
      email:  {required: false}
"""
AS_OF = "2026-06-30"


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["1", "2", "3", "4"],
            "name": ["甲公司", "  ", "丙公司", "丁公司"],
            "region": ["华东", "华南", "西北", None],
            "staff": [10, 5000, 20, None],
            "email": [None, "b@x.cn", None, None],
            "updated_at": pd.to_datetime(["2026-05-01", "2026-01-01", "2024-01-01", None]).date,
        }
    )


def test_quality_counts_missing_and_out_of_range_values_per_field() -> None:
    report = tierwise.check_quality({"customers": _customers()}, loads_profile(PROFILE), AS_OF)
    fields = report.fields.set_index("field")
    assert fields.loc["name", ["present", "missing", "out_of_range"]].tolist() == [3, 1, 0]  # a blank name is missing
    assert fields.loc["region", ["missing", "out_of_range", "examples"]].tolist() == [1, 1, "西北 (1)"]
    assert fields.loc["staff", ["missing", "out_of_range", "examples"]].tolist() == [1, 1, "5,000 (1)"]
    assert fields.loc["email", "completeness"] == 0.25
    assert bool(fields.loc["email", "required"]) is False
    assert fields.loc["name", ["label", "layer"]].tolist() == ["客户名称", "基本信息层"]


def test_quality_says_for_each_customer_what_is_missing_and_whether_the_profile_is_complete_and_current() -> None:
    report = tierwise.check_quality({"customers": _customers()}, loads_profile(PROFILE), AS_OF)
    rows = report.customers.set_index("customer_id")
    assert bool(rows.loc["1", "complete"]) is True
    assert rows.loc["2", "missing_fields"] == "name"
    assert rows.loc["2", "out_of_range_fields"] == "staff"
    assert rows.loc["3", "out_of_range_fields"] == "region"
    assert bool(rows.loc["3", "stale"]) is True  # not updated for two years
    assert rows.loc["4", "missing_fields"] == "region、staff"
    assert bool(rows.loc["4", "stale"]) is True  # never updated
    assert rows.loc["4", "completeness"] == pytest.approx(1 / 3)
    assert report.summary() == {
        "customers": 4,
        "complete": 1,
        "complete_share": 0.25,
        "missing_required": 2,
        "out_of_range": 2,
        "stale": 2,
    }
    assert list(report.customers["customer_id"])[-1] == "1"  # the least complete first


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["华东", "华南", "西北", "", None]), st.one_of(st.none(), st.integers(-5, 2000))),
        min_size=1,
        max_size=40,
    )
)
def test_field_counts_match_a_count_done_by_hand(rows: list[tuple[str | None, int | None]]) -> None:
    profile = loads_profile(
        "tierwise: 1\nprofile:\n  customers:\n    fields:\n"
        "      region: {values: [华东, 华南]}\n      staff: {min: 1, max: 1000}\n"
    )
    frame = pd.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(len(rows))],
            "region": pd.Series([r for r, _ in rows], dtype="object"),
            "staff": pd.Series([s for _, s in rows], dtype="Float64"),
        }
    )
    report = tierwise.check_quality({"customers": frame}, profile, AS_OF).fields.set_index("field")
    regions = [r for r, _ in rows if r not in (None, "")]
    staff = [s for _, s in rows if s is not None]
    assert report.loc["region", "missing"] == len(rows) - len(regions)
    assert report.loc["region", "out_of_range"] == sum(r not in ("华东", "华南") for r in regions)
    assert report.loc["staff", "missing"] == len(rows) - len(staff)
    assert report.loc["staff", "out_of_range"] == sum(not 1 <= s <= 1000 for s in staff)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("min: 1, max: 1000", "min: 1, mx: 1000"),
         "p.yaml:9: Unknown key 'mx' in field 'staff' of table 'customers'. Did you mean 'max'?"),
        (("min: 1, max: 1000", "min: 1000, max: 1"),
         "p.yaml:9: In field 'staff' of table 'customers': the 'min' (1000) must not be above the 'max' (1)."),
        (("    updated: updated_at\n", ""),
         "p.yaml:3: In table 'customers': 'stale_after' needs 'updated', the column with the date each profile "
         "was last updated."),
        (("fields:", "feilds:"), "p.yaml:6: Unknown key 'feilds' in table 'customers'. Did you mean 'fields'?"),
    ],
)  # fmt: skip
def test_a_wrong_profile_is_a_located_sentence(change: tuple[str, str], message: str) -> None:
    with pytest.raises(tierwise.StandardError) as caught:
        loads_profile(PROFILE.replace(*change), "p.yaml")
    assert message in str(caught.value).splitlines()


def test_fields_the_data_lacks_are_all_reported_with_a_suggestion() -> None:
    profile = loads_profile(PROFILE.replace("region:", "regoin:").replace("staff:", "staf:"), "p.yaml")
    with pytest.raises(tierwise.StandardError) as caught:
        tierwise.check_quality({"customers": _customers()}, profile, AS_OF)
    assert str(caught.value).splitlines() == [
        "p.yaml:8: The profile names the field 'regoin' of table 'customers', which the data does not have. "
        "Did you mean 'region'?",
        "p.yaml:9: The profile names the field 'staf' of table 'customers', which the data does not have. "
        "Did you mean 'staff'?",
    ]


def test_a_range_on_a_text_field_is_refused() -> None:
    profile = loads_profile(PROFILE.replace("name:   {label: 客户名称, layer: 基本信息层}", "name: {min: 1}"), "p.yaml")
    with pytest.raises(tierwise.StandardError, match="has a range \\(min/max\\), so it must be a number"):
        tierwise.check_quality({"customers": _customers()}, profile, AS_OF)


STANDARD = """tierwise: 1
id: staff-size
name: 规模
version: "1"
complete_profiles: true
grades: [大, 小]
indicators: {staff_n: {attribute: staff}}
grade: {ladder: {on: staff_n, steps: [{grade: 大, at_least: 15}, {grade: 小}]}}
"""


def test_a_standard_for_complete_profiles_grades_only_those_customers() -> None:
    standard = tierwise.loads_standard(STANDARD)
    result = tierwise.evaluate(standard, {"customers": _customers()}, AS_OF, profile=loads_profile(PROFILE))
    assert result.to_pandas()["customer_id"].tolist() == ["1"]
    everyone = tierwise.loads_standard(STANDARD.replace("complete_profiles: true\n", ""))
    assert len(tierwise.evaluate(everyone, {"customers": _customers()}, AS_OF)) == 4


def test_a_standard_for_complete_profiles_without_a_profile_says_where_to_put_one() -> None:
    with pytest.raises(tierwise.StandardError) as caught:
        tierwise.evaluate(tierwise.loads_standard(STANDARD, file="s.yaml"), {"customers": _customers()}, AS_OF)
    assert str(caught.value).startswith(
        "s.yaml:5: The standard 'staff-size' grades only customers with a complete profile (complete_profiles: true), "
        "so it needs the profile: put profile.yaml in the workspace"
    )


def test_the_cli_prints_the_report_and_writes_the_workbook(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    _customers().to_csv(data / "customers.csv", index=False, encoding="gbk")
    (data / "profile.yaml").write_text(PROFILE, encoding="utf-8")
    result = run_cli("quality", "--data", str(data), "--as-of", AS_OF, "-o", str(tmp_path / "q.xlsx"))
    assert result.returncode == 0, result.stderr
    assert "4 位客户中 1 位档案完整（25.0%）" in result.stdout
    sheets = CalamineWorkbook.from_path(str(tmp_path / "q.xlsx")).sheet_names
    assert sheets == ["字段完整度", "客户档案"]
    english = run_cli("quality", "--data", str(data), "--as-of", AS_OF, "--lang", "en")
    assert "1 of 4 customers have a complete profile (25.0%)" in english.stdout
    missing = run_cli("quality", "--data", str(tmp_path), "--as-of", AS_OF)
    assert missing.returncode == 1
    assert missing.stderr.startswith("Error: Give the profile to check: --profile FILE")


def test_a_workspace_run_uses_the_profile_beside_it(tmp_path: Path) -> None:
    ws = tw.Workspace.init(tmp_path / "ws")
    path = tmp_path / "customers.csv"
    _customers().to_csv(path, index=False)
    tierwise.import_file(ws, "customers", path)
    (tmp_path / "s.yaml").write_text(STANDARD, encoding="utf-8")
    day = dt.date.today() - dt.timedelta(days=1)
    with pytest.raises(tierwise.StandardError, match="needs the profile"):
        tw.run_standard(ws, tmp_path / "s.yaml", day)
    (ws.root / "profile.yaml").write_text(PROFILE.replace("stale_after: 12 months", "stale_after: 100 years"), "utf-8")
    info = tw.run_standard(ws, tmp_path / "s.yaml", day)
    assert [r["customer_id"] for r in tw.run_rows(ws, info.id)] == ["1"]
