"""``tierwise demo``: every built-in standard on generated B2B data and on the real CDNow log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tierwise.engine import Evaluation, connect, evaluate_many, load_data
from tierwise.io import write_table, write_workbook
from tierwise.spec import add_duration, builtin_ids, builtin_path, load_builtin, parse_duration

__all__ = ["CDNOW", "CDNOW_AS_OF", "CDNOW_STANDARDS", "DEMO_USERS", "DemoReport", "DemoSection", "DemoUser", "run_demo"]

CDNOW = Path(__file__).resolve().parent / "cdnow"
CDNOW_AS_OF = dt.date(1998, 6, 30)
CDNOW_STANDARDS = ("rfm-8", "abc-pareto", "sales-share-90")
PACK_STANDARD = "annual-sales-grade"


@dataclass
class DemoSection:
    """One standard evaluated on one data set, with its grade table."""

    name: str
    dataset: str
    evaluation: Evaluation
    rows: list[dict[str, Any]]  # grade, customers, customer_share, sales, sales_share
    file: Path


@dataclass
class DemoReport:
    """What ``run_demo`` produced: the sections and the files written."""

    folder: Path
    data_folder: Path
    workbook: Path
    sections: list[DemoSection] = field(default_factory=list)
    workspace: Path | None = None  # a workspace with two yearly publications of PACK_STANDARD
    pack: Path | None = None  # the report pack of its latest publication (.xlsx; .html beside it)
    users: list[DemoUser] = field(default_factory=list)  # who can sign in to 'tierwise serve' of the workspace


@dataclass(frozen=True)
class DemoUser:
    """A user of the demo workspace, with the password made for them (shown once, never stored in clear)."""

    name: str
    role: str
    regions: tuple[str, ...]
    password: str


# name, role, regions: one of each department of the grading policies
DEMO_USERS = (
    ("admin.demo", "admin", ()),
    ("wang.jingli", "manager", ()),
    ("zhao.zongjian", "manager", ()),
    ("li.kehujingli", "account_manager", ("上海",)),
    ("chen.caiwu", "finance", ()),
    ("liu.fenxi", "analyst", ()),
    ("guest", "viewer", ()),
)


def _sales_12m(con: Any, as_of: dt.date) -> pa.Table:
    """Each customer's sales in the 12 months to ``as_of`` (the window of LANGUAGE.md §4)."""
    start = add_duration(as_of, parse_duration("12 months"), -1)
    query = (
        "SELECT customer_id, SUM(amount) AS sales_12m FROM transactions WHERE date > $start AND date <= $end GROUP BY 1"
    )
    return con.con.sql(query, params={"start": start, "end": as_of}).to_arrow_table()


def _grade_table(result: Evaluation, sales: pa.Table) -> list[dict[str, Any]]:
    table = result.to_arrow().select(["customer_id", "grade"]).join(sales, "customer_id", join_type="left outer")
    table = table.set_column(2, "sales_12m", pc.fill_null(table.column("sales_12m"), 0.0))
    grouped = table.group_by("grade").aggregate([("customer_id", "count"), ("sales_12m", "sum")])
    by_grade = {row["grade"]: row for row in grouped.to_pylist()}
    customers = max(table.num_rows, 1)
    total = pc.sum(table.column("sales_12m")).as_py() or 0.0
    rows = []
    for grade in result.standard.grades:
        row = by_grade.get(grade, {})
        count, amount = row.get("customer_id_count", 0), row.get("sales_12m_sum", 0.0) or 0.0
        rows.append(
            {
                "grade": grade,
                "customers": count,
                "customer_share": count / customers,
                "sales": amount,
                "sales_share": amount / total if total else None,
            }
        )
    return rows


def _write_data(tables: dict[str, pa.Table], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.csv"):
        stale.unlink()
    for name, table in tables.items():
        write_table(table, folder / f"{name}.csv")


def run_demo(
    folder: str | Path = "tierwise-demo",
    *,
    customers: int = 6000,
    seed: int = 20260331,
    lang: str = "zh",
    progress: Callable[[str], None] | None = None,
) -> DemoReport:
    """Generate demo data, evaluate every built-in standard, write the results.

    Writes ``data/*.csv`` (the generated tables), one ``<standard>.csv`` per standard
    (``cdnow-<standard>.csv`` for the CDNow log) and ``tierwise-demo.xlsx`` with a sheet
    per standard into ``folder``.

    Examples
    --------
    >>> import tempfile, tierwise
    >>> report = tierwise.run_demo(tempfile.mkdtemp(), customers=300)
    >>> len(report.sections) == len(tierwise.builtin_ids()) + 3
    True
    """
    from tierwise.demo._generate import AS_OF, generate

    say = progress or (lambda _message: None)
    folder = Path(folder)
    data_folder = folder / "data"
    say(f"Generating {customers:,} customers (seed {seed})…")
    _write_data(generate(customers=customers, seed=seed), data_folder)
    report = DemoReport(folder, data_folder, folder / "tierwise-demo.xlsx")
    sheets: dict[str, pa.Table] = {}

    con = connect()
    tables = load_data(con, data_folder)
    sales = _sales_12m(con, AS_OF)
    say(f"Evaluating {len(builtin_ids())} built-in standards…")
    results = evaluate_many([load_builtin(i) for i in builtin_ids()], tables, AS_OF, lang=lang, con=con)
    for standard_id, result in zip(builtin_ids(), results, strict=True):
        path = result.write(folder / f"{standard_id}.csv")
        report.sections.append(DemoSection(standard_id, "demo", result, _grade_table(result, sales), path))
        sheets[standard_id] = result.to_arrow()

    cdnow_con = connect()
    cdnow = load_data(cdnow_con, CDNOW)
    cdnow_sales = _sales_12m(cdnow_con, CDNOW_AS_OF)
    say("Evaluating the CDNow purchase log…")
    results = evaluate_many([load_builtin(i) for i in CDNOW_STANDARDS], cdnow, CDNOW_AS_OF, lang=lang, con=cdnow_con)
    for standard_id, result in zip(CDNOW_STANDARDS, results, strict=True):
        path = result.write(folder / f"cdnow-{standard_id}.csv")
        report.sections.append(DemoSection(standard_id, "cdnow", result, _grade_table(result, cdnow_sales), path))
        sheets[f"cdnow-{standard_id}"] = result.to_arrow()

    say("Writing the workbook…")
    write_workbook(sheets, report.workbook)
    say("Publishing two yearly gradings in a demo workspace and writing its report pack…")
    report.workspace, report.pack = _workspace_pack(folder, data_folder, AS_OF, lang)
    report.users = _demo_users(report.workspace)
    return report


def _demo_users(root: Path) -> list[DemoUser]:
    """Register the demo's users in its workspace, each with a new random password."""
    import secrets

    import tierwise.workspace as tw

    ws = tw.Workspace(root)
    made = []
    for name, role, regions in DEMO_USERS:
        password = secrets.token_urlsafe(9)
        tw.add_user(ws, name, role, regions=regions, password=password)
        made.append(DemoUser(name, role, regions, password))
    _demo_requests(ws, {u.name: u.password for u in made})
    return made


def _demo_requests(ws: Any, passwords: dict[str, str]) -> None:
    """Two 特批 of the Shanghai account manager: one approved by a manager, one waiting for a decision."""
    import tierwise.lifecycle as lc

    rows = ws.records(
        "SELECT g.customer_id, g.grade FROM grades g JOIN data.customers c ON CAST(c.customer_id AS VARCHAR) = "
        "g.customer_id WHERE g.standard_id = ? AND g.valid_to IS NULL AND c.region = '上海' AND g.grade IN ('B', 'C') "
        "ORDER BY g.customer_id LIMIT 2",
        [PACK_STANDARD],
    )
    if len(rows) < 2:
        return
    asking = ws.as_user("li.kehujingli", passwords["li.kehujingli"])
    until = dt.date.today() + dt.timedelta(days=180)
    first = lc.request_override(
        asking, PACK_STANDARD, rows[0]["customer_id"], "A", "战略合作客户，签订年度框架协议", until
    )
    lc.request_override(asking, PACK_STANDARD, rows[1]["customer_id"], "B", "新开发重点客户，首年扶持", until)
    deciding = ws.as_user("wang.jingli", passwords["wang.jingli"])
    lc.decide_request(deciding, first, approve=True, why="同意，按框架协议执行")


def _workspace_pack(folder: Path, data_folder: Path, as_of: dt.date, lang: str) -> tuple[Path, Path]:
    """A workspace of the demo data (imported from its CSV files) with the grades of last year and this year."""
    import shutil

    import tierwise.lifecycle as lc
    import tierwise.reports as reports
    import tierwise.workspace as tw

    root = folder / "workspace"
    if (root / "tierwise.toml").is_file():  # the demo's own workspace of an earlier run
        shutil.rmtree(root)
    ws = tw.Workspace.init(root)
    for name in ("customers", "transactions", "payments"):
        tw.import_file(ws, name, data_folder / f"{name}.csv", allow_bad_rows=False)
    standard = builtin_path(PACK_STANDARD)
    for day in (add_duration(as_of, parse_duration("12 months"), -1), as_of):
        lc.publish(ws, tw.run_standard(ws, standard, day, lang=lang).id)
    made = reports.report_pack(ws, PACK_STANDARD)
    reports.write_html(made, folder / "tierwise-report.html", lang=lang)
    return root, reports.write_pack(made, folder / "tierwise-report.xlsx", lang=lang)
