"""Every report's numbers equal an independent pandas computation on the demo data of two yearly publications."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections import Counter
from pathlib import Path

import duckdb
import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from tests.conftest import run_cli

import tierwise
import tierwise.lifecycle as lc
import tierwise.reports as reports
import tierwise.workspace as tw
from tierwise.demo import AS_OF, generate

STANDARD = "annual-sales-grade"
FIRST, SECOND = dt.date(AS_OF.year - 1, AS_OF.month, AS_OF.day), AS_OF
PASSWORDS = {"alice": "alice-secret-1", "bob": "bob-secret-22"}


@pytest.fixture(scope="module")
def demo() -> dict[str, pd.DataFrame]:
    return {name: table.to_pandas() for name, table in generate(customers=700, seed=3).items()}


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory, demo: dict[str, pd.DataFrame]) -> tw.Workspace:
    folder = tmp_path_factory.mktemp("reports")
    admin = tw.Workspace.init(folder / "ws")
    for name, password in PASSWORDS.items():
        tw.add_user(admin, name, "manager", password=password)
    alice, bob = admin.as_user("alice", PASSWORDS["alice"]), admin.as_user("bob", PASSWORDS["bob"])
    for name in ("customers", "transactions", "payments"):
        pq.write_table(generate(customers=700, seed=3)[name], folder / f"{name}.parquet")
        tierwise.import_file(alice, name, folder / f"{name}.parquet")
    lc.publish(alice, tw.run_standard(alice, tierwise.builtin_path(STANDARD), FIRST).id)
    low = next(c for c, (g, _) in lc.grades_on(alice, STANDARD, FIRST).items() if g == "C")
    request = lc.request_override(alice, STANDARD, low, "B", "战略合作", dt.date(2026, 12, 31), on=dt.date(2025, 4, 10))
    lc.decide_request(bob, request, approve=True, why="同意", on=dt.date(2025, 4, 15))
    lc.publish(alice, tw.run_standard(alice, tierwise.builtin_path(STANDARD), SECOND).id)
    return alice


def _grades(ws: tw.Workspace, day: dt.date) -> pd.DataFrame:
    """The published grades on ``day`` read straight from the store (the oracle of the reports' base)."""
    con = duckdb.connect(str(ws.database), read_only=True)
    try:
        frame = con.execute(
            "SELECT customer_id, grade, state FROM grades WHERE standard_id = ? AND valid_from <= ? "
            "AND (valid_to IS NULL OR valid_to > ?)",
            [STANDARD, day, day],
        ).df()
    finally:
        con.close()
    return frame[frame["state"] != "cancelled"]


def _sales(demo: dict[str, pd.DataFrame], day: dt.date) -> pd.Series:
    """12-month sales per customer, by pandas alone."""
    t = demo["transactions"]
    start = pd.Timestamp(day) - pd.DateOffset(months=12)
    dates = pd.to_datetime(t["date"])
    window = t[(dates > start) & (dates <= pd.Timestamp(day))]
    return window.groupby("customer_id")["amount"].sum()


@pytest.fixture(scope="module")
def expected(ws: tw.Workspace, demo: dict[str, pd.DataFrame]) -> pd.DataFrame:
    frame = _grades(ws, SECOND)
    frame["sales"] = frame["customer_id"].map(_sales(demo, SECOND)).fillna(0.0)
    return frame.merge(demo["customers"][["customer_id", "region", "name"]], on="customer_id", how="left")


def test_the_distribution_counts_and_sums_each_grade_as_pandas_does(ws: tw.Workspace, expected: pd.DataFrame) -> None:
    got = reports.distribution(reports.published(ws, STANDARD)).set_index("grade")
    counts = expected["grade"].value_counts()
    sums = expected.groupby("grade")["sales"].sum()
    for grade in ("VIP", "A", "B", "C"):
        assert got.loc[grade, "customers"] == counts.get(grade, 0)
        assert got.loc[grade, "value"] == pytest.approx(sums.get(grade, 0.0), rel=1e-9, abs=1e-6)
    assert got["customer_share"].sum() == pytest.approx(1.0)
    assert got["value_share"].sum() == pytest.approx(1.0)
    assert got["cum_value_share"].iloc[-1] == pytest.approx(1.0)
    assert list(got.index) == ["VIP", "A", "B", "C"]


def test_the_distribution_by_region_is_the_crosstab_of_region_and_grade(
    ws: tw.Workspace, expected: pd.DataFrame
) -> None:
    got = reports.distribution(reports.published(ws, STANDARD), by=["region"])
    table = pd.crosstab(expected["region"], expected["grade"])
    for row in got.itertuples():
        want = table.loc[row.region, row.grade] if row.grade in table.columns else 0
        assert row.customers == want
    assert got.groupby("region")["customer_share"].sum().round(9).eq(1.0).all()


def test_the_gini_coefficient_is_the_mean_absolute_difference_over_twice_the_mean(
    ws: tw.Workspace, expected: pd.DataFrame
) -> None:
    x = expected["sales"].clip(lower=0).to_numpy(dtype=float)
    want = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert reports.gini(reports.published(ws, STANDARD)) == pytest.approx(want, rel=1e-9)


def test_the_lorenz_curve_starts_at_the_largest_customer_and_ends_at_everything(
    ws: tw.Workspace, expected: pd.DataFrame
) -> None:
    curve = reports.lorenz(reports.published(ws, STANDARD))
    assert curve["value"].iloc[0] == pytest.approx(expected["sales"].max())
    assert curve["value_share"].is_monotonic_increasing
    assert curve["value_share"].iloc[-1] == pytest.approx(1.0)
    assert curve["customer_share"].iloc[-1] == pytest.approx(1.0)
    assert len(curve) == len(expected)


def test_the_grade_list_of_the_top_grade_is_its_customers_largest_first(
    ws: tw.Workspace, expected: pd.DataFrame
) -> None:
    top = reports.grade_list(reports.published(ws, STANDARD), grades=["VIP"])
    assert set(top["customer_id"]) == set(expected.loc[expected["grade"] == "VIP", "customer_id"])
    assert top["sales_12m"].is_monotonic_decreasing
    assert {"name", "region", "state", "reason"} <= set(top.columns)
    with pytest.raises(ValueError, match="has no grade AAA; its grades are VIP, A, B, C"):
        reports.grade_list(reports.published(ws, STANDARD), grades=["AAA"])


def test_the_region_analysis_shares_each_regions_sales_out_by_grade(ws: tw.Workspace, expected: pd.DataFrame) -> None:
    got = reports.region_analysis(reports.published(ws, STANDARD))
    region_sales = expected.groupby("region")["sales"].sum()
    cell_sales = expected.groupby(["region", "grade"])["sales"].sum()
    for row in got[got["grade"] != "合计"].itertuples():
        want = cell_sales.get((row.region, row.grade), 0.0) / region_sales[row.region]
        assert row.share_of_region_value == pytest.approx(want, abs=1e-12)
        assert row.share_of_customers == pytest.approx(
            ((expected["region"] == row.region) & (expected["grade"] == row.grade)).sum() / len(expected)
        )
    totals = got[got["grade"] == "合计"].set_index("region")
    assert totals["customers"].sum() == len(expected)


def test_the_sales_pivot_totals_each_customers_products_over_twelve_months(
    ws: tw.Workspace, demo: dict[str, pd.DataFrame]
) -> None:
    got = reports.sales_pivot(ws, reports.published(ws, STANDARD))
    t = demo["transactions"]
    dates = pd.to_datetime(t["date"])
    window = t[(dates > pd.Timestamp(SECOND) - pd.DateOffset(months=12)) & (dates <= pd.Timestamp(SECOND))]
    want = window.pivot_table(index="customer_id", columns="product", values="amount", aggfunc="sum", fill_value=0)
    body = got[got["customer_id"] != "合计"].set_index("customer_id")
    for product in want.columns:
        shared = want.index.intersection(body.index)
        assert np.allclose(body.loc[shared, product].to_numpy(), want.loc[shared, product].to_numpy())
    total = got[got["customer_id"] == "合计"].iloc[0]
    assert total["合计"] == pytest.approx(body["合计"].sum())


def test_the_migration_matrix_is_the_crosstab_of_the_two_publications(ws: tw.Workspace) -> None:
    before, after = reports.published(ws, STANDARD, as_of=FIRST), reports.published(ws, STANDARD, as_of=SECOND)
    got = reports.migration(before, after)
    a, b = _grades(ws, FIRST), _grades(ws, SECOND)
    joined = a.merge(b, on="customer_id", how="outer", suffixes=("_a", "_b"))

    def grade(value: object) -> str | None:
        return value if isinstance(value, str) else None

    want = Counter((grade(x), grade(y)) for x, y in zip(joined["grade_a"], joined["grade_b"], strict=True))
    assert got["customers"].sum() == len(joined)
    assert {(grade(r.before), grade(r.after)): r.customers for r in got.itertuples()} == dict(want)
    summary = reports.migration_summary(before, after).iloc[0]
    both = joined.dropna(subset=["grade_a", "grade_b"])
    rank = {"VIP": 0, "A": 1, "B": 2, "C": 3}
    assert summary["upgrades"] == (both["grade_b"].map(rank) < both["grade_a"].map(rank)).sum()
    assert summary["downgrades"] == (both["grade_b"].map(rank) > both["grade_a"].map(rank)).sum()
    assert summary["override"] == (b["state"] == "override").sum() == 1


def test_special_terms_list_the_approved_override_with_its_end(ws: tw.Workspace) -> None:
    terms = reports.special_terms(ws, reports.published(ws, STANDARD))
    assert len(terms) == 1
    row = terms.iloc[0]
    assert (row["grade"], row["until"], row["decided_by"], row["why"]) == (
        "B",
        dt.date(2026, 12, 31),
        "bob",
        "战略合作",
    )


def test_entitlements_join_the_standards_policies_to_the_customers_holding_each_grade(
    ws: tw.Workspace, expected: pd.DataFrame
) -> None:
    got = reports.entitlements(reports.published(ws, STANDARD))
    policies = tierwise.load_builtin(STANDARD).policies or {}
    assert len(got) == sum(len(v) for v in policies.values())
    counts = expected["grade"].value_counts()
    for row in got.itertuples():
        assert row.customers == counts.get(row.grade, 0)
        assert str(policies[row.grade][row.entitlement]) == row.value


def test_a_report_by_a_column_the_customers_lack_names_the_columns_they_have(ws: tw.Workspace) -> None:
    with pytest.raises(ValueError, match=r"no such column .*region"):
        reports.distribution(reports.published(ws, STANDARD), by=["branch"])


def test_the_report_pack_workbook_has_every_sheet_chinese_headers_and_four_native_charts(
    ws: tw.Workspace, tmp_path: Path
) -> None:
    path = reports.write_pack(reports.report_pack(ws, STANDARD), tmp_path / "pack.xlsx")
    book = openpyxl.load_workbook(path)
    assert {"等级分布", "客户分级表", "客户区域分析表", "客户销售分析表", "等级迁移", "服务权益", "特批客户"} <= set(
        book.sheetnames
    )
    assert [c.value for c in book["等级分布"][3]][:3] == ["等级", "客户数", "客户占比"]
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) >= 4
    english = reports.write_pack(reports.report_pack(ws, STANDARD), tmp_path / "pack-en.xlsx", lang="en")
    assert "Distribution" in openpyxl.load_workbook(english).sheetnames


def test_report_commands_print_a_report_and_write_the_pack(ws: tw.Workspace, tmp_path: Path) -> None:
    shown = run_cli("report", "distribution", "-s", STANDARD, "--by", "region", "--workspace", str(ws.root))
    assert shown.returncode == 0, shown.stderr
    assert "region\tgrade\tcustomers" in shown.stdout
    written = run_cli("report", "pack", "-s", STANDARD, "-o", str(tmp_path / "p.xlsx"), "--workspace", str(ws.root))
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "p.xlsx").is_file()
    page = run_cli("report", "pack", "-s", STANDARD, "-o", str(tmp_path / "p.html"), "--workspace", str(ws.root))
    assert page.returncode == 0, page.stderr
    assert "<h2>等级分布</h2>" in (tmp_path / "p.html").read_text(encoding="utf-8")
    wrong = run_cli("report", "nonsense", "-s", STANDARD, "--workspace", str(ws.root))
    assert wrong.returncode == 1
    assert "Error: There is no report 'nonsense'" in wrong.stderr


def test_every_column_of_every_report_has_a_chinese_and_an_english_label(ws: tw.Workspace) -> None:
    pack = reports.report_pack(ws, STANDARD)
    dynamic = set(pack.source.standard.indicators) | set(
        generate(customers=5, seed=1)["transactions"]["product"].to_pylist()
    )
    for key, frame in pack.sheets.items():
        assert reports.label(f"sheet.{key}", "zh") != reports.label(f"sheet.{key}", "en")
        for column in frame.columns:
            if column in dynamic:
                continue
            assert column in reports.LABELS, f"{key}: {column}"
            zh, en = reports.LABELS[column]
            assert zh
            assert en


def test_the_effect_of_a_publication_is_what_each_grades_customers_did_in_the_next_twelve_months(
    ws: tw.Workspace, demo: dict[str, pd.DataFrame]
) -> None:
    got = reports.effect(ws, reports.published(ws, STANDARD, as_of=FIRST)).set_index("grade")
    grades = _grades(ws, FIRST)
    t = demo["transactions"].assign(date=pd.to_datetime(demo["transactions"]["date"]))
    after = t[(t["date"] > pd.Timestamp(FIRST)) & (t["date"] <= pd.Timestamp(FIRST) + pd.DateOffset(months=12))]
    before = t[(t["date"] > pd.Timestamp(FIRST) - pd.DateOffset(months=12)) & (t["date"] <= pd.Timestamp(FIRST))]
    p = demo["payments"].assign(
        due=pd.to_datetime(demo["payments"]["due_date"]), paid=pd.to_datetime(demo["payments"]["paid_date"])
    )
    end = pd.Timestamp(FIRST) + pd.DateOffset(months=12)
    due = p[(p["due"] > pd.Timestamp(FIRST)) & (p["due"] <= end)]
    late = due[(due["paid"].isna() & (end > due["due"])) | (due["paid"] > due["due"])]
    for grade, members in grades.groupby("grade"):
        ids = set(members["customer_id"])
        row = got.loc[grade]
        assert row["customers"] == len(ids)
        assert row["churned"] == len(ids - set(after["customer_id"]))
        revenue = after[after["customer_id"].isin(ids)]["amount"].sum()
        assert row["revenue_after"] == pytest.approx(revenue, rel=1e-9, abs=1e-6)
        assert row["revenue_before"] == pytest.approx(
            before[before["customer_id"].isin(ids)]["amount"].sum(), rel=1e-9, abs=1e-6
        )
        margin = after[after["customer_id"].isin(ids)]["margin"].sum()
        assert row["margin_rate"] == pytest.approx(margin / revenue if revenue else np.nan, rel=1e-9, nan_ok=True)
        assert row["payments_due"] == due["customer_id"].isin(ids).sum()
        assert row["late"] == late["customer_id"].isin(ids).sum()


def test_effect_breaks_name_the_pairs_where_a_better_grade_did_worse() -> None:
    outcomes = pd.DataFrame(
        {
            "grade": ["A", "B", "C"],
            "customers": [10, 10, 10],
            "churn_rate": [0.1, 0.3, 0.2],  # C churns less than B: one break
            "revenue_per_customer": [300.0, 200.0, 100.0],  # monotonic
        }
    )
    breaks = reports.effect_breaks(outcomes)
    assert breaks.to_dict("records") == [
        {"outcome": "churn_rate", "better": "B", "worse": "C", "better_value": 0.3, "worse_value": 0.2}
    ]


def test_the_effect_of_the_latest_publication_cannot_be_measured_yet(ws: tw.Workspace) -> None:
    with pytest.raises(ValueError, match=r"No transaction is dated after .* choose an earlier publication"):
        reports.effect(ws, reports.published(ws, STANDARD))


DUE_STANDARD = """tierwise: 1
id: yearly
name: 年度评估
version: "1"
grades: [A, B]
indicators: {sales: {from: transactions, agg: sum(amount), window: 12 months}}
grade: {ladder: {on: sales, steps: [{grade: A, at_least: 100}, {grade: B}]}}
lifecycle:
  cadence: {every: year, on: "03-25"}
  provisional: {tenure_below: 6 months}
"""


def _new_and_old_customer(ws: tw.Workspace, folder: Path) -> None:
    """X became a customer on 2025-12-01 (provisional for six months), Y in 2015; and the yearly standard."""
    customers = pd.DataFrame({"customer_id": ["X", "Y"], "created_at": [dt.date(2025, 12, 1), dt.date(2015, 1, 1)]})
    sales = pd.DataFrame({"customer_id": ["X", "Y"], "date": [dt.date(2026, 3, 1)] * 2, "amount": [500.0, 50.0]})
    customers.to_parquet(folder / "customers.parquet")
    sales.to_parquet(folder / "transactions.parquet")
    tierwise.import_file(ws, "customers", folder / "customers.parquet")
    tierwise.import_file(ws, "transactions", folder / "transactions.parquet")
    (folder / "yearly.yaml").write_text(DUE_STANDARD, encoding="utf-8")


def test_due_lists_the_cadences_evaluation_provisional_reviews_expiring_overrides_and_requests(tmp_path: Path) -> None:
    admin = tw.Workspace.init(tmp_path / "ws")
    tw.add_user(admin, "bob", "manager", password=PASSWORDS["bob"])
    _new_and_old_customer(admin, tmp_path)
    lc.publish(admin, tw.run_standard(admin, tmp_path / "yearly.yaml", dt.date(2026, 3, 31)).id)
    request = lc.request_override(admin, "yearly", "Y", "A", "战略", dt.date(2026, 4, 20), on=dt.date(2026, 4, 1))
    lc.decide_request(admin.as_user("bob", PASSWORDS["bob"]), request, approve=True, on=dt.date(2026, 4, 2))
    lc.request_override(admin, "yearly", "X", "B", "再议", dt.date(2026, 9, 30), on=dt.date(2026, 4, 3))  # X holds A

    soon = reports.due(admin, dt.date(2026, 4, 10), horizon_days=60)
    assert list(soon["kind"]) == ["override-expiring", "provisional", "request"]  # soonest first (asked today)
    assert list(soon["customer_id"]) == ["Y", "X", "X"]
    assert not soon["overdue"].any()
    kinds = dict(zip(soon["kind"], soon["due"], strict=True))
    assert kinds["provisional"] == dt.date(2026, 6, 2)  # 183 days: 6 months of 30.4375 days have passed
    assert kinds["override-expiring"] == dt.date(2026, 4, 20)
    assert "request" in kinds
    assert "evaluation" not in kinds
    later = reports.due(admin, dt.date(2027, 3, 20))
    evaluation = later[later["kind"] == "evaluation"].iloc[0]
    assert (evaluation["due"], evaluation["overdue"]) == (dt.date(2027, 3, 25), False)
    assert bool(later[later["kind"] == "override-expiring"]["overdue"].iloc[0])
    printed = run_cli("due", "--today", "2027-03-20", "--workspace", str(admin.root))
    assert printed.returncode == 0, printed.stderr
    assert "evaluation\tyearly" in printed.stdout


def _chart_options(page: str) -> dict[str, object]:
    import json

    start = page.index("const options = ") + len("const options = ")
    return json.loads(page[start : page.index(";\n", start)])


def test_the_html_page_is_self_contained_with_the_packs_tables_and_charts(ws: tw.Workspace, tmp_path: Path) -> None:
    import re

    pack = reports.report_pack(ws, STANDARD)
    path = reports.write_html(pack, tmp_path / "pack.html")
    page = path.read_text(encoding="utf-8")
    assert re.search(r"<script[^>]+src=|<link[^>]+href=", page) is None  # nothing fetched: closed networks
    assert "echarts" in page
    for title in ("等级分布", "客户分级表", "客户区域分析表", "等级迁移", "分级效果评估"):
        assert f"<h2>{title}</h2>" in page
    options = _chart_options(page)
    assert set(options) == {"chart-distribution", "chart-pareto", "chart-lorenz", "chart-region", "chart-migration"}
    distribution = pack.sheets["distribution"]
    bars = options["chart-distribution"]["series"][0]["data"]  # type: ignore[index]
    assert bars == distribution["customers"].tolist()
    heat = options["chart-migration"]["series"][0]["data"]  # type: ignore[index]
    assert sum(cell[2] for cell in heat) == pack.sheets["migration"]["customers"].sum()
    english = reports.render_html(pack, lang="en")
    assert "<h2>Distribution</h2>" in english


def test_a_customer_name_with_markup_is_text_on_the_page(ws: tw.Workspace) -> None:
    pack = reports.report_pack(ws, STANDARD)
    pack.sheets["grade_list"].loc[0, "name"] = "<script>alert(1)</script>"
    page = reports.render_html(pack)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def _browser() -> str:
    from tierwise.reports._pdf import chromium

    return chromium()  # the test command installs Chromium on Debian; elsewhere this fails, never skips


def test_the_html_page_draws_its_charts_and_chinese_text_in_a_real_chromium(ws: tw.Workspace, tmp_path: Path) -> None:
    import subprocess

    from tierwise.reports._pdf import _browser_command

    page = reports.write_html(reports.report_pack(ws, STANDARD), tmp_path / "pack.html")
    dom = subprocess.run(
        _browser_command(_browser(), "--dump-dom", page.as_uri()),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    for chart in ("chart-distribution", "chart-pareto", "chart-lorenz", "chart-region", "chart-migration"):
        start = dom.index(f'id="{chart}"')
        assert "<canvas" in dom[start : start + 2000], chart  # ECharts drew into the div
    shot = tmp_path / "shot.png"
    subprocess.run(
        _browser_command(_browser(), "--window-size=1200,1600", f"--screenshot={shot}", page.as_uri()),
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 50_000  # charts and tables, not a blank page
    font = subprocess.run(["fc-match", "Noto Sans CJK SC"], capture_output=True, text=True, check=True).stdout
    assert "NotoSansCJK" in font.replace(" ", "")  # the page's first font: Chinese glyphs, not boxes


def test_the_pdf_is_a4_with_chinese_titles_that_convert_to_png_pages(ws: tw.Workspace, tmp_path: Path) -> None:
    import subprocess

    pdf = reports.write_pdf(reports.report_pack(ws, STANDARD), tmp_path / "pack.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for title in ("客户销量分级", "等级分布", "客户区域分析表", "annual-sales-grade 2026.1"):
        assert title in text
    import re

    pages_said = re.findall(r"^(\d+)/(\d+)$", text, re.MULTILINE)  # Chromium's footer: the page number
    assert pages_said
    assert pages_said[0][0] == "1"
    assert text.count(f"annual-sales-grade 2026.1） · {SECOND}") >= len(pages_said)  # the header on every page
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "595.92 x 842.88 pts (A4)" in info or "(A4)" in info
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 2
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in pages)


def test_run_due_confirms_provisional_customers_when_their_period_ends_and_leaves_the_others(tmp_path: Path) -> None:
    ws = tw.Workspace.init(tmp_path / "ws")
    _new_and_old_customer(ws, tmp_path)
    first = tw.run_standard(ws, tmp_path / "yearly.yaml", dt.date(2026, 3, 31))
    lc.publish(ws, first.id)
    assert lc.grades_on(ws, "yearly", dt.date(2026, 4, 1)) == {"X": ("A", "provisional"), "Y": ("B", "confirmed")}
    with pytest.raises(tw.WorkspaceError, match="nothing is due for review"):
        tw.run_standard(ws, tmp_path / "yearly.yaml", dt.date(2026, 5, 31), due=True)

    due = ("run", str(tmp_path / "yearly.yaml"), "--as-of", "2026-06-15", "--due", "-w", str(ws.root))
    declined = run_cli(*due, stdin="n\n")  # the review shows its impact and asks first
    assert declined.returncode == 1
    assert "Publish run" in declined.stdout
    assert "Nothing was published" in declined.stdout
    assert lc.grades_on(ws, "yearly", dt.date(2026, 6, 16)) == {"X": ("A", "provisional"), "Y": ("B", "confirmed")}
    shown = run_cli(*due, "--yes")
    assert shown.returncode == 0, shown.stderr
    assert "1 customers graded" in shown.stdout
    assert "as a review" in shown.stdout
    assert lc.grades_on(ws, "yearly", dt.date(2026, 6, 16)) == {"X": ("A", "confirmed"), "Y": ("B", "confirmed")}
    history_y = lc.history(ws, "Y", "yearly")
    assert [(h["grade"], h["valid_from"], h["valid_to"]) for h in history_y] == [("B", dt.date(2026, 3, 31), None)]
    history_x = lc.history(ws, "X", "yearly")
    review = next(r for r in tw.list_runs(ws) if r.review and r.published)
    assert history_x[-1]["run_id"] == review.id  # the review that confirmed X (not the one declined)
    assert (history_x[-1]["state"], history_x[-1]["valid_from"]) == ("confirmed", dt.date(2026, 6, 15))
    after = reports.published(ws, "yearly").frame.set_index("customer_id")
    assert after.loc["Y", "sales"] == 50.0  # the values of the publication that graded Y
    assert after.loc["X", "sales"] == 500.0
