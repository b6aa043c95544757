"""``tierwise evaluate/explain/sql --backend URL``: the same file from PostgreSQL and Spark as from DuckDB."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.backends.conftest import Dataset
from tests.conftest import run_cli

pytestmark = pytest.mark.backends

STANDARD = "src/tierwise/standards/annual-sales-grade.yaml"
ROOT = Path(__file__).resolve().parents[2]


def _evaluate(out: Path, *source: str, as_of: str) -> bytes:
    done = run_cli("evaluate", str(ROOT / STANDARD), *source, "--as-of", as_of, "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "Wrote 1,2" in done.stdout or "Wrote" in done.stdout
    return out.read_bytes()


def test_evaluate_on_postgres_writes_the_same_file_as_duckdb(datasets: dict[str, Dataset], tmp_path: Path) -> None:
    demo = datasets["demo"]
    on_duckdb = _evaluate(tmp_path / "duckdb.csv", "--data", str(demo.parquet), as_of=demo.as_of)
    on_postgres = _evaluate(tmp_path / "postgres.csv", "--backend", demo.postgres_url, as_of=demo.as_of)
    assert on_postgres == on_duckdb
    assert on_duckdb.count(b"\n") > 1000


def test_evaluate_on_a_local_spark_session_writes_the_same_file_as_duckdb(
    datasets: dict[str, Dataset], tmp_path: Path
) -> None:
    demo = datasets["demo"]
    on_duckdb = _evaluate(tmp_path / "duckdb.csv", "--data", str(demo.parquet), as_of=demo.as_of)
    on_spark = _evaluate(
        tmp_path / "spark.csv", "--backend", "spark:local[2]", "--data", str(demo.parquet), as_of=demo.as_of
    )
    assert on_spark == on_duckdb


def test_explain_on_postgres_tells_what_duckdb_tells(datasets: dict[str, Dataset]) -> None:
    demo = datasets["demo"]
    customer = demo.tables["transactions"]["customer_id"][0].as_py()
    args = ("explain", str(ROOT / STANDARD), "--as-of", demo.as_of, "--customer", customer)
    on_duckdb = run_cli(*args, "--data", str(demo.parquet))
    on_postgres = run_cli(*args, "--backend", demo.postgres_url)
    assert on_duckdb.returncode == 0, on_duckdb.stderr
    assert on_postgres.stdout == on_duckdb.stdout


def test_sql_with_a_postgres_backend_prints_postgres_sql_on_its_tables(datasets: dict[str, Dataset]) -> None:
    done = run_cli("sql", str(ROOT / STANDARD), "--backend", datasets["demo"].postgres_url, "--as-of", "2026-03-31")
    assert done.returncode == 0, done.stderr
    assert 'FROM "transactions"' in done.stdout or '"transactions"' in done.stdout
    assert "MAKE_DATE(2025, 3, 31)" in done.stdout or "2025-03-31" in done.stdout


def test_a_postgres_that_does_not_answer_is_one_sentence_naming_it(tmp_path: Path) -> None:
    done = run_cli(
        "evaluate",
        str(ROOT / STANDARD),
        "--backend",
        "postgres://nobody:secret@127.0.0.1:9/none",
        "--as-of",
        "2026-03-31",
    )
    assert done.returncode == 1
    assert done.stderr.startswith("Error: Cannot connect to the PostgreSQL database at 127.0.0.1:9/none")
    assert "secret" not in done.stderr


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("mysql://db/sales", "is not one tierwise runs on"),
        ("spark:remote", "names neither a local session"),
        ("postgres://u@127.0.0.1/db?shema=x", "Did you mean 'schema'?"),
    ],
)
def test_a_backend_url_tierwise_cannot_use_is_refused_with_the_forms_it_takes(url: str, words: str) -> None:
    done = run_cli("evaluate", str(ROOT / STANDARD), "--backend", url, "--as-of", "2026-03-31")
    assert done.returncode == 1
    assert done.stderr.startswith("Error: ")
    assert words in done.stderr


def test_postgres_does_not_read_a_data_folder_and_says_what_to_do(datasets: dict[str, Dataset]) -> None:
    demo = datasets["demo"]
    done = run_cli(
        "evaluate", str(ROOT / STANDARD), "--backend", demo.postgres_url, "--data", str(demo.parquet),
        "--as-of", demo.as_of,
    )  # fmt: skip
    assert done.returncode == 1
    assert "PostgreSQL reads its own tables" in done.stderr
