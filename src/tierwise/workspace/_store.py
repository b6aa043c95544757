"""The workspace: one folder with a DuckDB file for data and state, standards and settings.

``tierwise.toml`` marks the folder; ``tierwise.duckdb`` holds the imported tables (schema
``data``) and tierwise's own tables (schema ``main``): the schema version, the audit log,
the saved column mappings, imports and quarantined rows. Writes take an exclusive lock, so
two commands at once never interleave; each change is one DuckDB transaction, so a crash or
kill at any moment leaves either all of it or none of it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import getpass
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb

from tierwise._sql import qualified

__all__ = ["SCHEMA_VERSION", "Workspace", "WorkspaceBusy", "WorkspaceError"]

SCHEMA_VERSION = 3
CONFIG = "tierwise.toml"
DATABASE = "tierwise.duckdb"
LOCK = ".tierwise.lock"

# Forward migrations: version -> statements that bring the store from version - 1 to it.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "CREATE SCHEMA IF NOT EXISTS data",
        "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
        "CREATE SEQUENCE IF NOT EXISTS audit_id",
        """CREATE TABLE IF NOT EXISTS audit_log (
               id BIGINT PRIMARY KEY DEFAULT nextval('audit_id'), "at" TIMESTAMP NOT NULL,
               "user" VARCHAR NOT NULL, action VARCHAR NOT NULL, subject VARCHAR,
               customer_id VARCHAR, detail JSON, why VARCHAR)""",
        """CREATE TABLE IF NOT EXISTS column_maps (
               table_name VARCHAR PRIMARY KEY, mapping JSON NOT NULL, updated_at TIMESTAMP NOT NULL)""",
        "CREATE SEQUENCE IF NOT EXISTS import_id",
        """CREATE TABLE IF NOT EXISTS imports (
               id BIGINT PRIMARY KEY DEFAULT nextval('import_id'), "at" TIMESTAMP NOT NULL, "user" VARCHAR NOT NULL,
               table_name VARCHAR NOT NULL, file VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, mode VARCHAR NOT NULL,
               rows BIGINT NOT NULL, bad_rows BIGINT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS quarantine (
               import_id BIGINT NOT NULL, table_name VARCHAR NOT NULL, file VARCHAR NOT NULL, "row" BIGINT NOT NULL,
               "column" VARCHAR, value VARCHAR, problem VARCHAR NOT NULL, raw JSON)""",
    ),
    2: (
        "CREATE SEQUENCE IF NOT EXISTS run_id",
        """CREATE TABLE IF NOT EXISTS runs (
               id BIGINT PRIMARY KEY DEFAULT nextval('run_id'), "at" TIMESTAMP NOT NULL, "user" VARCHAR NOT NULL,
               standard_id VARCHAR NOT NULL, standard_version VARCHAR NOT NULL, standard_hash VARCHAR NOT NULL,
               standard_text VARCHAR NOT NULL, standard_file VARCHAR, as_of DATE NOT NULL, lang VARCHAR NOT NULL,
               inputs JSON NOT NULL, customers BIGINT NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS run_rows (
               run_id BIGINT NOT NULL, customer_id VARCHAR NOT NULL, grade VARCHAR, grade_rank INTEGER, reason VARCHAR,
               next_grade VARCHAR, gap_to_next DOUBLE, "values" JSON)""",
    ),
    3: (
        "CREATE SEQUENCE IF NOT EXISTS grade_id",
        """CREATE TABLE IF NOT EXISTS grades (
               id BIGINT PRIMARY KEY DEFAULT nextval('grade_id'), standard_id VARCHAR NOT NULL,
               customer_id VARCHAR NOT NULL, grade VARCHAR, evaluated VARCHAR, state VARCHAR NOT NULL,
               hold_count INTEGER NOT NULL DEFAULT 0, valid_from DATE NOT NULL, valid_to DATE, run_id BIGINT,
               why VARCHAR NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS publications (
               run_id BIGINT PRIMARY KEY, standard_id VARCHAR NOT NULL, as_of DATE NOT NULL, "at" TIMESTAMP NOT NULL,
               "user" VARCHAR NOT NULL)""",
        "CREATE SEQUENCE IF NOT EXISTS request_id",
        """CREATE TABLE IF NOT EXISTS requests (
               id BIGINT PRIMARY KEY DEFAULT nextval('request_id'), kind VARCHAR NOT NULL, standard_id VARCHAR NOT NULL,
               customer_id VARCHAR NOT NULL, grade VARCHAR NOT NULL, why VARCHAR, until DATE,
               requested_by VARCHAR NOT NULL, requested_at TIMESTAMP NOT NULL, status VARCHAR NOT NULL,
               decided_by VARCHAR, decided_at TIMESTAMP, decision_why VARCHAR)""",
    ),
}


class WorkspaceError(ValueError):
    """A workspace that cannot be created, found or used as asked."""


class WorkspaceBusy(WorkspaceError):
    """Another tierwise command is writing to the workspace."""


class Workspace:
    """A tierwise workspace folder.

    Examples
    --------
    >>> import tempfile, tierwise
    >>> ws = tierwise.Workspace.init(tempfile.mkdtemp() + "/ws")
    >>> ws.schema_version() == tierwise.workspace.SCHEMA_VERSION
    True
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()
        if not (self.root / CONFIG).is_file():
            raise WorkspaceError(
                f"{self.root} is not a tierwise workspace (it has no {CONFIG}); create one with 'tierwise init'."
            )

    @property
    def database(self) -> Path:
        return self.root / DATABASE

    @property
    def standards(self) -> Path:
        return self.root / "standards"

    @property
    def reports(self) -> Path:
        return self.root / "reports"

    @classmethod
    def init(cls, root: str | Path) -> Workspace:
        """Create a workspace folder (refused where one already is)."""
        root = Path(root)
        if (root / CONFIG).exists():
            raise WorkspaceError(f"{root} is already a tierwise workspace; use it with --workspace {root}.")
        if root.exists() and any(root.iterdir()):
            raise WorkspaceError(f"{root} exists and is not empty; choose a new or empty folder for the workspace.")
        created = not root.exists()
        try:
            return cls._create(root)
        except BaseException:
            for name in (CONFIG, DATABASE, DATABASE + ".wal", LOCK):
                (root / name).unlink(missing_ok=True)
            for name in ("standards", "reports"):
                with contextlib.suppress(OSError):
                    (root / name).rmdir()
            if created:
                with contextlib.suppress(OSError):
                    root.rmdir()
            raise

    @classmethod
    def _create(cls, root: Path) -> Workspace:
        (root / "standards").mkdir(parents=True, exist_ok=True)
        (root / "reports").mkdir(exist_ok=True)
        (root / CONFIG).write_text(
            "# tierwise workspace\n[workspace]\n"
            f'created = "{dt.datetime.now().isoformat(timespec="seconds")}"\n'
            f"schema_version = {SCHEMA_VERSION}\n",
            encoding="utf-8",
        )
        workspace = cls(root)
        with workspace.writing() as con:
            workspace.audit(con, "init", str(workspace.root), {"schema_version": SCHEMA_VERSION})
        return workspace

    @classmethod
    def find(cls, start: str | Path | None = None) -> Workspace:
        """The workspace at ``start`` (default: the current folder) or its nearest parent that is one."""
        here = Path(start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / CONFIG).is_file():
                return cls(folder)
        raise WorkspaceError(
            f"No tierwise workspace at {here} or above it; create one with 'tierwise init DIR' or pass --workspace DIR."
        )

    @staticmethod
    def user() -> str:
        """Who is acting: ``TIERWISE_USER``, else the login name."""
        return os.environ.get("TIERWISE_USER") or getpass.getuser()

    @contextlib.contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An exclusive, migrated connection; everything inside is one transaction."""
        with self._lock(), contextlib.closing(duckdb.connect(str(self.database))) as con:
            self._migrate(con)
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    @contextlib.contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection (waits for no lock; sees only committed changes)."""
        try:
            con = duckdb.connect(str(self.database), read_only=True)
        except duckdb.IOException as exc:
            raise WorkspaceBusy(
                f"The workspace {self.root} is busy: another tierwise command is writing to it. "
                f"Try again when it has finished."
            ) from exc
        with contextlib.closing(con):
            yield con

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        handle = (self.root / LOCK).open("a+")
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise WorkspaceBusy(
                    f"The workspace {self.root} is busy: another tierwise command is writing to it. "
                    f"Try again when it has finished."
                ) from exc
            yield
        finally:
            handle.close()

    def _migrate(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute("CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
        row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        current = int(row[0]) if row else 0
        if current > SCHEMA_VERSION:
            raise WorkspaceError(
                f"The workspace {self.root} was written by a newer tierwise (schema {current}); "
                f"upgrade tierwise to use it."
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            con.execute("BEGIN TRANSACTION")
            for statement in MIGRATIONS[version]:
                con.execute(statement)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)])
            con.execute("COMMIT")

    def schema_version(self) -> int:
        with self.reading() as con:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else 0

    def audit(
        self,
        con: duckdb.DuckDBPyConnection,
        action: str,
        subject: str | None,
        detail: dict[str, Any],
        why: str | None = None,
        customer_id: str | None = None,
    ) -> None:
        """Append one record to the audit log (inside the caller's transaction)."""
        con.execute(
            'INSERT INTO audit_log ("at", "user", action, subject, customer_id, detail, why) VALUES (?, ?, ?, ?, ?, ?, ?)',
            [
                dt.datetime.now(),
                self.user(),
                action,
                subject,
                customer_id,
                json.dumps(detail, ensure_ascii=False, default=str),
                why,
            ],
        )

    def records(self, query: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
        """Rows of a read-only query, each as a dict by column name."""
        with self.reading() as con:
            cursor = con.execute(query, params or [])
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def audit_records(self, customer_id: str | None = None) -> list[dict[str, Any]]:
        """The audit log, oldest first (optionally about one customer)."""
        query = 'SELECT id, "at", "user", action, subject, customer_id, detail, why FROM audit_log'
        params: list[Any] = []
        if customer_id is not None:
            query += " WHERE customer_id = ?"
            params.append(customer_id)
        return self.records(query + " ORDER BY id", params)

    def tables(self) -> dict[str, int]:
        """The imported tables and their row counts."""
        with self.reading() as con:
            names = [
                r[0]
                for r in con.execute(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'data' ORDER BY 1"
                ).fetchall()
            ]
            return {
                name: int(con.execute(f"SELECT count(*) FROM {qualified('data', name)}").fetchall()[0][0])
                for name in names
            }
