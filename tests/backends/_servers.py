"""Real servers for the conformance suite and the benchmark: a private PostgreSQL and a local Spark.

PostgreSQL is started from the Debian binaries with ``initdb`` + ``pg_ctl`` in a temporary
folder, on a free loopback port, trusting only local connections; as root it runs as the
``postgres`` system user (PostgreSQL refuses to run as root). Spark is a ``local[2]``
session of the pip ``pyspark`` on the machine's Java 17. Tables go to PostgreSQL with
``COPY`` and to Spark as Parquet files, so both hold exactly what DuckDB is given.
"""

from __future__ import annotations

import glob
import io
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

_PG_TYPES = {
    "string": "text",
    "large_string": "text",
    "date32[day]": "date",
    "double": "double precision",
    "float": "real",
    "int64": "bigint",
    "int32": "integer",
    "bool": "boolean",
}


def postgres_bin() -> Path:
    """The folder of the newest PostgreSQL server binaries on this machine."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    raise RuntimeError("The PostgreSQL server binaries (initdb, pg_ctl) are missing: apt-get install postgresql-15.")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Postgres:
    """A running private server: its port and how to reach one of its databases."""

    folder: Path
    port: int
    user: str = "tierwise"

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, dbname=database, autocommit=True)

    def create_database(self, name: str, tables: Mapping[str, pa.Table]) -> str:
        """A new database holding ``tables`` (loaded with COPY); its URL."""
        with self.connect() as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}"')
            con.execute(f'CREATE DATABASE "{name}"')
        with self.connect(name) as con:
            for table_name, table in tables.items():
                load_postgres(con, table_name, table)
        return self.url(name)


def load_postgres(con: Any, name: str, table: pa.Table) -> None:
    """Create ``name`` with the Arrow table's columns and COPY its rows in, in batches."""
    columns = ", ".join(f'"{f.name}" {_PG_TYPES[str(f.type)]}' for f in table.schema)
    con.execute(f'CREATE TABLE "{name}" ({columns})')
    with con.cursor() as cursor, cursor.copy(f'COPY "{name}" FROM STDIN (FORMAT csv)') as copy:
        for batch in table.to_batches(max_chunksize=200_000):
            buffer = io.BytesIO()  # nulls are unquoted empty fields, empty text is ""
            pacsv.write_csv(pa.Table.from_batches([batch]), buffer, pacsv.WriteOptions(include_header=False))
            copy.write(buffer.getvalue())
    con.execute(f'ANALYZE "{name}"')


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr or done.stdout}")


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """Start a private PostgreSQL in a new temporary folder; stop it (immediately) and remove it on exit.

    The folder is directly under the system's temporary folder, so the ``postgres`` user
    can reach it when the tests run as root (pytest's own temporary folders are private).
    """
    binaries = postgres_bin()
    folder = Path(tempfile.mkdtemp(prefix="tierwise-postgres-"))
    data = folder / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    _run([*as_user, str(binaries / "initdb"), "-D", str(data), "-U", "tierwise", "--auth=trust", "-E", "UTF8",
          "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
    port = _free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    _run([*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-o", options,
          "-w", "-t", "60", "start"])  # fmt: skip
    try:
        yield Postgres(folder, port)
    finally:
        subprocess.run(
            [*as_user, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def spark_session(cores: int = 2, memory: str = "2g") -> Iterator[Any]:
    """A local Spark session through Ibis, stopped on exit."""
    import ibis

    from tierwise.engine._backends import spark_builder

    started = time.perf_counter()
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        spark_builder(f"local[{cores}]")
        .config("spark.sql.shuffle.partitions", str(cores * 2))
        .config("spark.driver.memory", memory)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    con = ibis.pyspark.connect(session)
    con.started_in = time.perf_counter() - started
    try:
        yield con
    finally:
        session.stop()


def parquet_folder(folder: Path, tables: Mapping[str, pa.Table]) -> Path:
    """One Parquet file per table in ``folder`` (what Spark reads where it runs)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, folder / f"{name}.parquet")
    return folder
