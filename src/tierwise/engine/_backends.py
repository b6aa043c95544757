"""Where the data lives: a backend named by a URL, and its tables read in place.

``duckdb:///path/file.duckdb`` (or ``duckdb://`` for memory), ``postgres://user@host:port/db``
(``postgresql://`` too, ``?schema=NAME`` for another schema than ``public``), and Spark:
``spark:local`` or ``spark:local[4]`` for a session on this machine, ``spark://host:7077``
for a standalone cluster's master (``?database=NAME`` for a catalog database other
than ``default``). Only the result rows come back to the client.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import ibis.expr.types as ir

from ._data import DataError

__all__ = [
    "BACKEND_NAMES",
    "BackendError",
    "backend_label",
    "backend_tables",
    "connect_backend",
    "first_line",
    "folder_on_backend",
    "is_backend",
    "spark_builder",
]

BACKEND_NAMES = {"duckdb": "DuckDB", "postgres": "PostgreSQL", "pyspark": "Spark"}
_SPARK_LOCAL = re.compile(r"^local(\[(\d+|\*)\])?$")


class BackendError(DataError):
    """A backend that cannot be reached, or a standard it cannot run."""


def is_backend(value: Any) -> bool:
    """Whether ``value`` is an Ibis backend (a connection), not tables or a folder."""
    import ibis.backends

    return isinstance(value, ibis.backends.BaseBackend)


def backend_label(con: Any) -> str:
    """The backend's name for people: DuckDB, PostgreSQL, Spark."""
    name = str(getattr(con, "name", "") or "")
    return BACKEND_NAMES.get(name, name or "the backend")


def first_line(exc: BaseException) -> str:
    """The first line of a driver's or the JVM's error (their tracebacks follow it), or its type."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _safe(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _options(query: str, allowed: tuple[str, ...], url: str) -> dict[str, str]:
    options = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        from tierwise.spec import did_you_mean

        raise BackendError(
            f"The backend URL {_safe(url)} has the option '{unknown[0]}', which it does not take; "
            f"it takes {', '.join(allowed) or 'none'}.{did_you_mean(unknown[0], allowed)}"
        )
    return options


def _postgres(url: str) -> Any:
    import ibis

    parts = urlsplit(url)
    options = _options(parts.query, ("schema",), url)
    database = unquote(parts.path.lstrip("/")) or None
    where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}/{database or ''}"
    try:
        return ibis.postgres.connect(
            host=parts.hostname or "localhost",
            port=parts.port or 5432,
            user=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            database=database,
            schema=options.get("schema") or None,
        )
    except Exception as exc:  # the driver's many errors become one sentence
        raise BackendError(
            f"Cannot connect to the PostgreSQL database at {where}: {first_line(exc)}. "
            f"Check the host, port, database name, user and password in the URL."
        ) from exc


def spark_builder(master: str) -> Any:
    """The Spark session builder tierwise uses: no UI, UTC, results to the client as Arrow.

    Callers add their own settings (driver memory, shuffle partitions) before ``getOrCreate()``.
    """
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(master)
        .appName("tierwise")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )


def _spark(url: str) -> Any:
    import ibis

    parts = urlsplit(url)
    options = _options(parts.query, ("database",), url)
    master = parts.path if parts.scheme == "spark" and not parts.netloc else f"spark://{parts.netloc}"
    if not parts.netloc and not _SPARK_LOCAL.match(master):
        raise BackendError(
            f"The Spark URL {_safe(url)} names neither a local session (spark:local, spark:local[4]) "
            f"nor a cluster master (spark://host:7077)."
        )
    try:
        import pyspark  # noqa: F401 - asked for here, so that its absence is one sentence
    except ImportError as exc:
        raise BackendError("Spark needs the pyspark package and Java 17: pip install 'tierwise[spark]'.") from exc
    try:
        session = spark_builder(master).getOrCreate()
        con = ibis.pyspark.connect(session)
    except Exception as exc:  # the JVM's many errors become one sentence
        raise BackendError(
            f"Cannot start a Spark session on {master}: {first_line(exc)}. Check that Java 17 is installed "
            f"(java -version) and that the master is reachable."
        ) from exc
    if options.get("database"):
        con._session.catalog.setCurrentDatabase(options["database"])
    return con


def connect_backend(url: str | Path) -> Any:
    """An Ibis backend for a URL (see the module's text for the forms).

    Examples
    --------
    >>> con = connect_backend("duckdb://")
    >>> backend_label(con)
    'DuckDB'
    >>> connect_backend("mysql://db/sales")
    Traceback (most recent call last):
    ...
    tierwise.engine._backends.BackendError: The backend URL mysql://db/sales is not one tierwise runs on; use duckdb:///file.duckdb, postgres://user@host:port/db, spark:local or spark://host:7077.
    """
    import ibis

    text = str(url)
    scheme = urlsplit(text).scheme.lower()
    if scheme == "duckdb":
        path = unquote(urlsplit(text).path)
        if path and not Path(path).is_file():
            raise BackendError(f"The DuckDB database {path} does not exist.")
        return ibis.duckdb.connect(path or ":memory:", read_only=bool(path))
    if scheme in ("postgres", "postgresql"):
        return _postgres(text)
    if scheme == "spark":
        return _spark(text)
    raise BackendError(
        f"The backend URL {_safe(text)} is not one tierwise runs on; use duckdb:///file.duckdb, "
        f"postgres://user@host:port/db, spark:local or spark://host:7077."
    )


def backend_tables(con: Any) -> dict[str, ir.Table]:
    """Every table and view of the backend's current database and schema, read in place."""
    names = [n for n in con.list_tables() if not n.startswith("_tw")]
    if not names:
        raise BackendError(
            f"The {backend_label(con)} database has no tables; the standard needs its input tables there "
            f"(customers, transactions, …)."
        )
    return {name: con.table(name) for name in names}


def folder_on_backend(con: Any, folder: Path, files: Mapping[str, Path]) -> dict[str, ir.Table]:
    """A folder's Parquet files read by the backend itself, where it runs (Spark)."""
    if getattr(con, "name", "") != "pyspark":
        raise BackendError(
            f"{backend_label(con)} reads its own tables, not files from {folder}: load the files into the database "
            f"first, or leave out the data folder to grade its tables."
        )
    tables = {}
    for name, path in files.items():
        if path.suffix.lower() != ".parquet":
            raise BackendError(
                f"Spark reads the data folder's Parquet files where it runs; {path.name} is not one. Convert it "
                f"to Parquet (its headers and cells as tierwise reads them: tierwise import, then export), "
                f"or grade the folder on DuckDB (leave out --backend)."
            )
        tables[name] = con.read_parquet(str(path), table_name=name)
    return tables
