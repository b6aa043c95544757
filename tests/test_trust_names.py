"""Names from users reach SQL only quoted or bound; hostile names give located errors, never code."""

from __future__ import annotations

import ast
import datetime as dt
import string
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import Grades, run_cli, write_standard

import tierwise
import tierwise.workspace as tw

SRC = Path(tierwise.__file__).resolve().parent
SQL_WORDS = (
    "SELECT ",
    "INSERT ",
    "CREATE ",
    "DROP ",
    "ATTACH ",
    " FROM ",
    "DELETE ",
    "UPDATE ",
    "ALTER ",
    "struct_pack",
)
# f-string parts that are not user names: the quoting helpers, ibis' compiler, constants of the module,
# and (file, name) of SQL fragments a module builds from the helpers just above their use
TRUSTED_CALLS = {"ident", "qualified", "literal", "compile", "decisions_table"}  # the last: qualified() of an int
TRUSTED_NAMES = {
    ("workspace/_runs.py", "_COLUMNS"),
    ("workspace/_store.py", "marks"),  # last_change: one placeholder per ignored action
    ("workspace/_runs.py", "payload"),
    ("workspace/_runs.py", "packed"),
    ("engine/_data.py", "types"),
    ("workspace/_users.py", "_USER_COLUMNS"),
    ("lifecycle/_publish.py", "_CHANGED"),
    ("lifecycle/_publish.py", "query"),
    ("reports/_published.py", "on_day"),
    ("reports/_published.py", "selected"),
    ("reports/_published.py", "_LATEST_ROWS"),
    ("reports/_published.py", "regions"),
    ("reports/_published.py", "scope"),
    ("reports/_effect.py", "sums"),
    # the scoped queries: relations and conditions made of fixed fragments, every value a bound parameter
    ("lifecycle/_customers.py", "base"),
    ("lifecycle/_customers.py", "join"),
    ("lifecycle/_customers.py", "conditions"),
    ("lifecycle/_customers.py", "query"),
    ("lifecycle/_customers.py", "scope"),
    ("lifecycle/_customers.py", "page"),
    ("lifecycle/_publish.py", "customers"),
    ("lifecycle/_publish.py", "scope"),
    *(("lifecycle/_forms.py", n) for n in ("name", "region", "scope", "quoted", "marks", "query", "where")),
    # the review list and the dashboard: fixed column choices (a column exists or NULL), placeholders for the
    # grade ranks, scope_sql's condition; every grade, id, date and region is a bound parameter
    *(
        ("lifecycle/_review.py", n)
        for n in ("name", "region", "young", "customers", "ranks", "scope", "query", "where", "marks")
    ),
    # the impact's outcome query: constant SQL, the customers join and scope_sql's condition
    *(("lifecycle/_impact.py", n) for n in ("customers", "scope", "query")),
    # a request beside the evidence: the grade in force and the latest evaluation, constant SQL of _evidence.py
    *((f, n) for f in ("lifecycle/_customers.py", "lifecycle/_requests.py") for n in ("BESIDE_COLUMNS", "BESIDE_JOIN")),
    ("workspace/_import.py", "span"),  # the date span of a table: ident() of a known date column, or NULLs
    *(
        ("reports/_dashboard.py", n)
        for n in ("region", "on_day", "customers", "rows", "scope", "graded", "then", "now", "marks", "order", "ranked")
    ),
}


def _sql_fstrings() -> list[tuple[str, int, str]]:
    """Every interpolation in an f-string that looks like SQL and is not a quoting helper's result."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            text = "".join(p.value for p in node.values if isinstance(p, ast.Constant) and isinstance(p.value, str))
            if not any(word in text for word in SQL_WORDS):  # SQL keywords are written in capitals
                continue
            for part in node.values:
                if not isinstance(part, ast.FormattedValue):
                    continue
                value = part.value
                if isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)):
                    name = value.func.id if isinstance(value.func, ast.Name) else value.func.attr
                    if name in TRUSTED_CALLS:
                        continue
                if isinstance(value, ast.Name) and (str(path.relative_to(SRC)), value.id) in TRUSTED_NAMES:
                    continue
                if isinstance(value, ast.IfExp) and all(  # a choice between two constants
                    isinstance(v, ast.Constant) for v in (value.body, value.orelse)
                ):
                    continue
                found.append((str(path.relative_to(SRC)), node.lineno, ast.unparse(value)))
    return found


def test_no_sql_fstring_interpolates_a_name_without_the_quoting_helper() -> None:
    assert _sql_fstrings() == []


MATRIX = """
tierwise: 1
id: bank-matrix
name: 银行客户矩阵
version: "1"
grades: [战略基础客户, 重点客户, 培育型, 一般客户]
indicators:
  contribution: {attribute: contribution}
  closeness: {attribute: closeness}
grade:
  matrix:
    dimensions:
      {DIM1}: {ladder: {on: contribution, steps: [{grade: 高, at_least: 100}, {grade: 低}]}}
      {DIM2}: {ladder: {on: closeness, steps: [{grade: 高, at_least: 5}, {grade: 低}]}}
    cells:
      - {{DIM1}: 高, {DIM2}: 高, grade: 战略基础客户}
      - {{DIM1}: 高, {DIM2}: 低, grade: 重点客户}
      - {{DIM1}: 低, {DIM2}: 高, grade: 培育型}
      - {{DIM1}: 低, {DIM2}: 低, grade: 一般客户}
"""


def _matrix(dim1: str, dim2: str) -> str:
    return (
        MATRIX.replace("{{DIM1}", "{" + dim1).replace("{{DIM2}", dim2).replace("{DIM1}", dim1).replace("{DIM2}", dim2)
    )


CUSTOMERS = [
    {"customer_id": "C1", "contribution": 10, "closeness": 9},
    {"customer_id": "C2", "contribution": 500, "closeness": 1},
    {"customer_id": "C3", "contribution": 500, "closeness": 9},
    {"customer_id": "C4", "contribution": 1, "closeness": 1},
]
EXPECTED = {"C1": "培育型", "C2": "重点客户", "C3": "战略基础客户", "C4": "一般客户"}


def test_matrix_with_chinese_dimension_names_grades_each_dimension_by_its_own_label(grades: Grades) -> None:
    assert grades(_matrix("贡献度", "紧密度"), {"customers": CUSTOMERS}) == EXPECTED


def test_matrix_dimension_names_that_differ_only_outside_ascii_do_not_collide(grades: Grades) -> None:
    assert grades(_matrix("维度甲", "维度乙"), {"customers": CUSTOMERS}) == EXPECTED


def test_explanation_of_a_chinese_matrix_agrees_with_its_grade(tmp_path: Path) -> None:
    path = write_standard(tmp_path, _matrix("贡献度", "紧密度"))
    result = tierwise.evaluate(path, data={"customers": pd.DataFrame(CUSTOMERS)}, as_of=dt.date(2026, 3, 31))
    text = str(result.explain("C1"))
    assert "培育型" in text
    assert "贡献度=低" in text.replace(" ", "")


INJECTION = "v\" := (SELECT string_agg(content, '') FROM read_text('{canary}')))) FROM _tw_result --"


def test_dimension_name_with_sql_is_refused_by_check_with_its_line(tmp_path: Path) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-SECRET", encoding="utf-8")
    name = INJECTION.format(canary=canary)
    text = _matrix("'" + name.replace("'", "''") + "'", "紧密度")
    path = write_standard(tmp_path, text)
    result = run_cli("check", str(path))
    assert result.returncode == 1
    assert result.stderr.startswith("Error:") or result.stdout.startswith("Error:")
    out = result.stdout + result.stderr
    assert f"{path}:12" in out
    assert "is not a name" in out
    assert "CANARY" not in out


def test_rfm_fields_must_be_names_and_check_says_where(tmp_path: Path) -> None:
    path = write_standard(
        tmp_path,
        """
        tierwise: 1
        id: rfm-bad
        name: rfm
        version: "1"
        grades: [A, B]
        indicators:
          r: {from: transactions, agg: days_between(max(date), as_of)}
          m: {from: transactions, agg: sum(amount)}
        grade:
          rfm:
            recency: r
            frequency: __import__('os')
            monetary: m
            split: mean
            segments: [{grade: A, r: high}, {grade: B}]
        """,
    )
    result = run_cli("check", str(path))
    assert result.returncode == 1
    assert f"{path}:12" in result.stdout + result.stderr
    assert "'frequency' of the rfm grader" in result.stdout + result.stderr


NASTY = st.text(
    alphabet=st.sampled_from([*string.ascii_letters, *"\"'`;-\\\n\t ()=:.", "贡", "献", "度", "é", "_", "1"]),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dim1=NASTY, dim2=NASTY)
def test_any_dimension_name_gives_a_located_error_or_grades_correctly(tmp_path: Path, dim1: str, dim2: str) -> None:
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-SECRET", encoding="utf-8")
    quoted = ["'" + d.replace("'", "''") + "'" for d in (dim1, dim2)]
    text = _matrix(*quoted)
    try:
        standard = tierwise.loads_standard(text)
    except tierwise.StandardError as exc:
        problems = exc.problems
    else:
        problems = []
    if problems:
        assert all(p.line is not None for p in problems), problems
        assert "CANARY" not in " ".join(p.message for p in problems)
        return
    assert dim1 != dim2
    result = tierwise.evaluate(standard, data={"customers": pd.DataFrame(CUSTOMERS)}, as_of=dt.date(2026, 3, 31))
    df = result.to_pandas()
    assert dict(zip(df["customer_id"], df["grade"], strict=True)) == EXPECTED
    assert "CANARY" not in df.to_csv()


def test_a_workspace_run_stores_chinese_dimension_values_under_their_names(tmp_path: Path) -> None:
    ws = tw.Workspace.init(tmp_path / "ws")
    data = tmp_path / "customers.csv"
    pd.DataFrame(CUSTOMERS).to_csv(data, index=False)
    tierwise.import_file(ws, "customers", data)
    path = write_standard(tmp_path, _matrix("贡献度", "紧密度"))
    info = tw.run_standard(ws, path, "2026-03-31")
    rows = {r["customer_id"]: r for r in tw.run_rows(ws, info.id)}
    assert {c: r["grade"] for c, r in rows.items()} == EXPECTED
    assert '"贡献度":"低"' in rows["C1"]["values"].replace(" ", "")


def test_a_matrix_reports_the_next_cell_up_and_the_gap_when_one_ladder_stands_between(tmp_path: Path) -> None:
    path = write_standard(tmp_path, _matrix("贡献度", "紧密度"))
    table = tierwise.evaluate(path, data={"customers": pd.DataFrame(CUSTOMERS)}, as_of="2026-03-31").to_pandas()
    rows = {r.customer_id: (r.next_grade, r.gap_to_next) for r in table.itertuples()}
    assert rows["C2"] == ("战略基础客户", 4.0)  # 紧密度 1 -> 5 makes it 高
    assert rows["C4"] == ("培育型", 4.0)
    assert rows["C1"][0] == "重点客户"  # two dimensions would have to change: a next grade, no single gap
    assert pd.isna(rows["C1"][1])
    assert pd.isna(rows["C3"][0])  # already in the best cell
