"""The servers and data sets of the conformance suite, started once per test session.

Each data set is given to DuckDB as Arrow tables (the reference), to a real PostgreSQL as
a database loaded with COPY, and to a real local Spark session as a folder of Parquet
files that Spark reads itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from tests.backends._servers import Postgres, parquet_folder, postgres_server, spark_session

import tierwise
from tierwise.engine import load_data

DEMO_CUSTOMERS = 2500  # more than 2,148: a 32-bit rank times the percentile scale overflows there
DEMO_SEED = 20261202
OUTPUT = Path(__file__).resolve().parents[2] / "build" / "test-output" / "backends"


@dataclass
class Dataset:
    name: str
    as_of: str
    tables: dict[str, pa.Table]
    parquet: Path
    postgres_url: str


@dataclass
class Tally:
    """What the suite compared, written to build/test-output/backends/conformance.json for the note."""

    cases: set[tuple[str, str, str]] = field(default_factory=set)  # standard, data set, language
    backends: set[str] = field(default_factory=set)
    rows: int = 0
    values: int = 0


def _cdnow() -> dict[str, pa.Table]:
    con = tierwise.connect()
    tables = load_data(con, tierwise.demo.CDNOW)
    return {name: table.to_pyarrow() for name, table in tables.items()}


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    with spark_session() as con:
        yield con


@pytest.fixture(scope="session")
def datasets(tmp_path_factory: pytest.TempPathFactory, postgres: Postgres) -> dict[str, Dataset]:
    made = {
        "demo": (tierwise.demo.generate(DEMO_CUSTOMERS, DEMO_SEED), str(tierwise.demo.AS_OF)),
        "cdnow": (_cdnow(), str(tierwise.demo.CDNOW_AS_OF)),
    }
    out = {}
    for name, (tables, as_of) in made.items():
        folder = parquet_folder(tmp_path_factory.mktemp(f"parquet-{name}"), tables)
        out[name] = Dataset(name, as_of, tables, folder, postgres.create_database(name, tables))
    return out


@pytest.fixture(scope="session")
def tally() -> Iterator[Tally]:
    counted = Tally()
    yield counted
    if counted.rows:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        (OUTPUT / "conformance.json").write_text(
            json.dumps(
                {
                    "cases": len(counted.cases),
                    "standards": len({s for s, _, _ in counted.cases}),
                    "datasets": sorted({d for _, d, _ in counted.cases}),
                    "languages": sorted({lang for _, _, lang in counted.cases}),
                    "backends": ["duckdb", *sorted(counted.backends)],
                    "rows_compared": counted.rows,
                    "values_compared": counted.values,
                },
                indent=2,
            )
        )
