"""The same standard gives the same rows on DuckDB, a real PostgreSQL and a real local Spark.

Every built-in standard on the demo data, those that need only purchases on the CDNow log
too, and every grader example of the language reference (LANGUAGE.md) wrapped with the
reference's indicators: each evaluated on the three backends, every public column of every
row compared exactly (grade, rank, reason text, next grade, gap, indicators), and the
Arrow types too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from tests.backends.conftest import Dataset, Tally

import tierwise
from tierwise.compile import compile_standard
from tierwise.spec import builtin_ids

pytestmark = pytest.mark.backends

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference.en.md"
HEAD = 'tierwise: 1\nid: {id}\nname: {id}\nversion: "1"\n'
INDICATORS = {  # the reference's indicators (its §3 block), with the columns its graders name
    "demo": """
indicators:
  total_assets: {attribute: total_assets}
  sales_12m:    {from: transactions, agg: sum(amount), window: 12 months}
  orders_12m:   {from: transactions, agg: count(), window: 12 months}
  order_days:   {from: transactions, agg: count_distinct(date)}
  recency_days: {from: transactions, agg: days_between(max(date), as_of)}
  margin_12m:   {from: transactions, agg: sum(margin), window: 12 months}
  margin_rate:  {expr: "margin_12m / sales_12m"}
  on_time_rate: {from: payments, agg: "mean(paid_date <= due_date)", window: 12 months}
  big_orders:   {from: transactions, agg: count(), where: "amount >= 100万", window: 1 year}
  profit_12m:   {expr: "round(margin_12m, 2)"}
  monthly_orders: {from: transactions, agg: sum(amount), window: 1 month}
  margin_order_share: {from: transactions, agg: "mean(margin >= amount * 0.2)", window: 12 months}
  rating_sales: {from: assessments, agg: latest(rating), where: "criterion == '销售实现'"}
  days_to_close: {from: opportunities, agg: "days_between(as_of, min(expected_close))"}
""",
    "cdnow": """
indicators:
  sales_12m:    {from: transactions, agg: sum(amount), window: 12 months}
  orders_12m:   {from: transactions, agg: count(), window: 12 months}
  recency_days: {from: transactions, agg: days_between(max(date), as_of)}
  profit_12m:   {from: transactions, agg: sum(amount * 0.3), window: 12 months}
""",
}
POTENTIAL = """tierwise: 1
id: potential-grade
name: 潜力
version: "1"
grades: [高, 低]
grade: {ladder: {on: renewal_rate, steps: [{grade: 高, at_least: 80%}, {grade: 低}]}}
"""


def _reference_blocks() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", REFERENCE.read_text(encoding="utf-8"), flags=re.S)


def _labels(block: str) -> list[str]:
    if block.startswith("matrix:"):  # the dimensions' grades are not the standard's
        block = block[block.index("cells:") :]
    found = re.findall(r"grade: ([^,}\s{]+)", block) + re.findall(r"(?:then|otherwise): ([^{\s][^,}\n]*)", block)
    found += re.findall(r": (特大型|小微型|大型|中型|小型)", block)
    for listed in re.findall(r"segments: \[([^\]]*)\]", block):  # a cluster's grades
        found += [label.strip() for label in listed.split(",")]
    return list(dict.fromkeys(label.strip() for label in found if label.strip()))


def language_examples() -> dict[str, str]:
    """Each grader example of the reference as a standard; the full example as it is."""
    blocks = _reference_blocks()
    examples = {"reference-full": blocks[0]}
    for index, block in enumerate(blocks):
        kind = block.split(":", 1)[0].strip()
        if kind not in ("ladder", "rules", "scorecard", "pareto", "percentile", "rfm", "map", "matrix", "cluster"):
            continue
        if kind == "scorecard":  # the reference shows two of the criteria; one more makes the weights 100
            block = block.replace(
                "  missing_points:",
                "    - {name: 毛利, weight: 65, on: margin_rate, bands: [{at_least: 20%, points: 100}, {points: 60}]}\n"
                "  missing_points:",
            )
        body = "grade:\n" + "".join(f"  {line}\n" for line in block.rstrip("\n").split("\n"))
        labels = _labels(block)
        examples[f"reference-{kind}"] = "{head}grades: [" + ", ".join(labels) + "]\n{indicators}" + body
        assert index > 1
    return examples


EXAMPLES = language_examples()
ON_CDNOW_TOO = ("reference-ladder", "reference-pareto", "reference-percentile", "reference-rfm")


def _standard(name: str, dataset: str, folder: Path) -> tierwise.Standard:
    if name in EXAMPLES:
        text = EXAMPLES[name].replace("{head}", HEAD.format(id=name)).replace("{indicators}", INDICATORS[dataset])
        (folder / "potential-grade.yaml").write_text(POTENTIAL, encoding="utf-8")
        return tierwise.loads_standard(text, file=f"{name}.yaml", folder=folder)
    return tierwise.load_builtin(name)


def _runs_on_cdnow(standard_id: str) -> bool:
    """A built-in standard that needs only the purchase log's columns."""
    tables = {"transactions": pa.table({"customer_id": ["1"], "date": pa.array([0], pa.date32()), "amount": [1.0],
                                        "quantity": [1]})}  # fmt: skip
    import ibis

    try:
        compile_standard(tierwise.load_builtin(standard_id), {"transactions": ibis.memtable(tables["transactions"])},
                         tierwise.demo.CDNOW_AS_OF, "zh")  # fmt: skip
    except tierwise.StandardError:
        return False
    return True


CASES = [  # (standard, data set, language of the reasons)
    *[(s, "demo", "zh") for s in builtin_ids()],
    *[(s, "demo", "en") for s in builtin_ids()],
    *[(s, "cdnow", "zh") for s in builtin_ids() if _runs_on_cdnow(s)],
    *[(s, "demo", "zh") for s in EXAMPLES],
    *[(s, "cdnow", "zh") for s in ON_CDNOW_TOO],
]


_EXPECTED: dict[tuple[str, str, str], pa.Table] = {}


def _expected(name: str, dataset: Dataset, lang: str, folder: Path) -> pa.Table:
    """The DuckDB rows (the reference), computed once for both other backends."""
    if (name, dataset.name, lang) not in _EXPECTED:
        standard = _standard(name, dataset.name, folder)
        result = tierwise.evaluate(standard, dataset.tables, dataset.as_of, lang=lang).to_arrow()
        _EXPECTED[name, dataset.name, lang] = result.sort_by("customer_id")
    return _EXPECTED[name, dataset.name, lang]


def _on(backend: str, name: str, dataset: Dataset, lang: str, folder: Path, spark: Any) -> pa.Table:
    standard = _standard(name, dataset.name, folder)
    if backend == "postgres":
        con = tierwise.connect_backend(dataset.postgres_url)
        try:
            result = tierwise.evaluate(standard, con, dataset.as_of, lang=lang)
        finally:
            con.disconnect()
    else:  # Spark reads the Parquet files where it runs
        result = tierwise.evaluate(standard, dataset.parquet, dataset.as_of, lang=lang, con=spark)
    return result.to_arrow().sort_by("customer_id")


def test_the_suite_covers_every_built_in_and_every_grader_kind_of_the_reference() -> None:
    assert {s for s, d, _ in CASES if d == "demo"} >= set(builtin_ids())
    assert {"reference-ladder", "reference-rules", "reference-scorecard", "reference-pareto", "reference-percentile",
            "reference-rfm", "reference-map", "reference-matrix", "reference-cluster",
            "reference-full"} <= set(EXAMPLES)  # fmt: skip
    assert {s for s, d, _ in CASES if d == "cdnow"} >= set(tierwise.demo.CDNOW_STANDARDS)


@pytest.mark.parametrize("backend", ["postgres", "spark"])
@pytest.mark.parametrize(("name", "dataset_name", "lang"), CASES, ids=[f"{s}@{d}-{lang}" for s, d, lang in CASES])
def test_backend_gives_exactly_the_rows_duckdb_gives(
    backend: str,
    name: str,
    dataset_name: str,
    lang: str,
    datasets: dict[str, Dataset],
    spark: Any,
    tally: Tally,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    dataset = datasets[dataset_name]
    folder = tmp_path_factory.getbasetemp() / "standards"
    folder.mkdir(exist_ok=True)
    expected = _expected(name, dataset, lang, folder)
    got = _on(backend, name, dataset, lang, folder, spark)
    assert expected.num_rows > 0
    assert got.schema == expected.schema
    assert got.num_rows == expected.num_rows
    for column in expected.column_names:
        want, have = expected[column].to_pylist(), got[column].to_pylist()
        wrong = [(i, w, h) for i, (w, h) in enumerate(zip(want, have, strict=True)) if w != h]
        assert not wrong, f"{column}: {len(wrong)} rows differ, such as {wrong[:3]}"
    tally.cases.add((name, dataset_name, lang))
    tally.backends.add(backend)
    tally.rows += got.num_rows
    tally.values += got.num_rows * got.num_columns
