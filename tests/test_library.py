"""The built-in standards: listed, printed, copied, and every grade reached on the demo data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from tests.conftest import run_cli

import tierwise
from tierwise.compile import render_reason
from tierwise.demo import AS_OF, CDNOW, CDNOW_AS_OF, CDNOW_STANDARDS, generate

REQUIRED = {
    "bank-corporate-size",
    "institution-tier",
    "annual-sales-grade",
    "monthly-orders-abc",
    "composite-8",
    "credit-rating",
    "abc-pareto",
    "sales-share-90",
    "customer-pyramid",
    "rfm-8",
    "pipeline-a-to-e",
    "value-potential-urgency",
    "loyalty-status",
    "membership-tier",
    "churn-risk",
    "clv-value-potential",
    "enterprise-size",
    "power-importance",
    "relationship-6",
    "tog-funnel",
    "rfm-segments",
    "industry-section",
    "industry-division",
    "business-member-industry",
}


def test_library_holds_every_policy_with_a_description() -> None:
    assert set(tierwise.builtin_ids()) >= REQUIRED
    for standard_id in tierwise.builtin_ids():
        standard = tierwise.load_builtin(standard_id)
        assert standard.id == standard_id
        assert standard.description
        assert len(standard.description) > 40


@pytest.fixture(scope="module")
def demo_tables() -> dict[str, pa.Table]:
    return generate()


@pytest.fixture(scope="module")
def demo_connection(demo_tables: dict[str, pa.Table]) -> tuple[Any, dict[str, Any]]:
    from tierwise.engine import load_data

    con = tierwise.connect()
    return con, load_data(con, demo_tables)


@pytest.mark.parametrize("standard_id", sorted(REQUIRED))
def test_builtin_standard_reaches_every_grade_on_the_demo_data(
    standard_id: str, demo_connection: tuple[Any, dict[str, Any]]
) -> None:
    con, tables = demo_connection
    standard = tierwise.load_builtin(standard_id)
    evaluation = tierwise.evaluate(standard, tables, AS_OF, con=con, explainable=True)
    grades = evaluation.to_pandas()["grade"].value_counts()
    assert {g: int(grades.get(g, 0)) for g in standard.grades if grades.get(g, 0) == 0} == {}
    # every decision's reason, rendered from the stored decision, is the sentence the query wrote
    # (in English too: the contract suite renders every grader kind in both languages)
    for decision in evaluation.decisions().to_pylist():
        assert render_reason(standard, decision, "zh", evaluation.models) == decision["reason"], decision


def test_every_builtin_standard_is_checked_on_the_demo_data() -> None:
    assert set(tierwise.builtin_ids()) == REQUIRED


@pytest.mark.parametrize("standard_id", sorted(CDNOW_STANDARDS))
def test_builtin_standard_reaches_every_grade_on_the_cdnow_log(standard_id: str) -> None:
    standard = tierwise.load_builtin(standard_id)
    grades = tierwise.evaluate(standard, CDNOW, CDNOW_AS_OF).to_pandas()["grade"].value_counts()
    assert {g: int(grades.get(g, 0)) for g in standard.grades if grades.get(g, 0) == 0} == {}


def test_rfm_8_takes_recency_frequency_and_amount_over_one_window() -> None:
    standard = tierwise.load_builtin("rfm-8")
    windows = {str(ind.window) for ind in standard.indicators.values()}
    assert windows == {"12 months"}
    assert "同一窗口" in standard.description


def test_generator_is_deterministic_and_seeded() -> None:
    first, again, other = generate(300, seed=7), generate(300, seed=7), generate(300, seed=8)
    assert all(first[name].equals(again[name]) for name in first)
    assert not first["transactions"].equals(other["transactions"])


def test_demo_data_has_the_shape_the_issue_asks_for(demo_tables: dict[str, pa.Table]) -> None:
    customers = demo_tables["customers"].to_pandas()
    assert len(customers) >= 5000
    assert set(customers["type"]) == {"enterprise", "institution", "individual"}
    assert customers["industry"].dropna().str.match(r"^[A-T] ").all()  # GB/T 4754 sections
    dates = demo_tables["transactions"].column("date").to_pylist()
    assert (max(dates) - min(dates)).days >= 3 * 365 - 10
    assert set(demo_tables["assessments"].column("rating").to_pylist()) == {"好", "较好", "一般", "差"}
    spend = demo_tables["transactions"].to_pandas().groupby("customer_id")["amount"].sum().sort_values(ascending=False)
    assert spend.head(len(spend) // 5).sum() / spend.sum() > 0.6  # heavy-tailed: the top fifth make most sales


def test_standards_command_lists_shows_and_copies(tmp_path: Path) -> None:
    listed = run_cli("standards")
    assert listed.returncode == 0
    for standard_id in REQUIRED:
        assert standard_id in listed.stdout
    shown = run_cli("standards", "show", "credit-rating")
    assert shown.returncode == 0
    assert shown.stdout == tierwise.builtin_path("credit-rating").read_text(encoding="utf-8")
    copied = run_cli("standards", "copy", "rfm-8", str(tmp_path / "mine.yaml"))
    assert copied.returncode == 0
    assert tierwise.load_standard(tmp_path / "mine.yaml").id == "rfm-8"
    again = run_cli("standards", "copy", "rfm-8", str(tmp_path / "mine.yaml"))
    assert again.returncode == 1
    assert "already exists" in again.stderr
    unknown = run_cli("standards", "show", "rfm8")
    assert unknown.returncode == 1
    assert "Did you mean 'rfm-8'?" in unknown.stderr


def test_demo_command_prints_the_summary_and_writes_the_files(tmp_path: Path) -> None:
    result = run_cli("demo", str(tmp_path / "demo"), "--customers", "400")
    assert result.returncode == 0, result.stderr
    assert "客户信用等级" in result.stdout
    assert "CDNow" in result.stdout
    written = {p.name for p in (tmp_path / "demo").iterdir()}
    assert {f"{i}.csv" for i in REQUIRED} <= written
    assert {"cdnow-rfm-8.csv", "tierwise-demo.xlsx", "data"} <= written
    from python_calamine import CalamineWorkbook

    sheets = CalamineWorkbook.from_path(str(tmp_path / "demo" / "tierwise-demo.xlsx")).sheet_names
    assert len(sheets) == len(tierwise.builtin_ids()) + 3
    pack = CalamineWorkbook.from_path(str(tmp_path / "demo" / "tierwise-report.xlsx")).sheet_names
    assert {"等级分布", "等级迁移", "分级效果评估", "客户区域分析表"} <= set(pack)
    assert "tierwise-report.xlsx" in result.stdout
    assert "客户区域分析表" in (tmp_path / "demo" / "tierwise-report.html").read_text(encoding="utf-8")
    history = run_cli(
        "report", "migration-summary", "-s", "annual-sales-grade", "-w", str(tmp_path / "demo" / "workspace")
    )
    assert history.returncode == 0, history.stderr


@pytest.mark.parametrize("standard_id", sorted(REQUIRED))
def test_builtin_standard_compiles_to_sql_without_data(standard_id: str, demo_tables: dict[str, pa.Table]) -> None:
    path = tierwise.builtin_path(standard_id)
    if "cluster" in tierwise.compile.grader_kinds(tierwise.load_standard(path).grade):
        # segments are found in the data: without it the SQL has no centres to hold, and says so
        with pytest.raises(tierwise.StandardError, match="finds its segments in the data first"):
            tierwise.compiled_sql(path, as_of="2026-03-31")
        sql = tierwise.compiled_sql(path, demo_tables, as_of="2026-03-31")
    else:
        sql = tierwise.compiled_sql(path, as_of="2026-03-31")
    assert sql.lstrip().startswith(("SELECT", "WITH"))
