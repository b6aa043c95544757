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
import getpass
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import filelock

from tierwise._sql import qualified
from tierwise.workspace._errors import AccessDenied, WorkspaceBusy, WorkspaceError, storage_error
from tierwise.workspace._history import check_history, grades_signature
from tierwise.workspace._users import ACCESS, User, action_text, check_password, find_user, register, role_label

__all__ = [
    "SCHEMA_VERSION",
    "AccessDenied",
    "Workspace",
    "WorkspaceBusy",
    "WorkspaceError",
    "data_columns",
    "last_change",
]

SCHEMA_VERSION = 13
CONFIG = "tierwise.toml"
DATABASE = "tierwise.duckdb"
LOCK = ".tierwise.lock"
HOLDER = ".tierwise.holder"  # who holds the lock, for the busy message

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
    4: (
        """CREATE TABLE IF NOT EXISTS users (
               name VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, regions JSON NOT NULL, disabled BOOLEAN NOT NULL,
               password_hash VARCHAR, created_at TIMESTAMP NOT NULL)""",
    ),
    5: ("ALTER TABLE grades ADD COLUMN IF NOT EXISTS until DATE",),  # the last day of an override's grade
    6: (  # the indicator cache, and the fingerprints of the data tables it is keyed by
        "CREATE SCHEMA IF NOT EXISTS cache",
        """CREATE TABLE IF NOT EXISTS table_fingerprints (
               table_name VARCHAR PRIMARY KEY, rows BIGINT NOT NULL, hash VARCHAR NOT NULL)""",
        """CREATE TABLE IF NOT EXISTS indicator_cache (
               key VARCHAR PRIMARY KEY, table_name VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
               used_at TIMESTAMP NOT NULL, rows BIGINT NOT NULL)""",
    ),
    7: ("ALTER TABLE runs ADD COLUMN IF NOT EXISTS review BOOLEAN DEFAULT false",),  # a run of due customers only
    8: (  # web sessions: only a hash of each token is stored
        """CREATE TABLE IF NOT EXISTS sessions (
               token_hash VARCHAR PRIMARY KEY, "user" VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
               expires_at TIMESTAMP NOT NULL, last_seen TIMESTAMP NOT NULL)""",
    ),
    9: (  # the review meeting's (复评) changes to a run's grades, and drafts of standards edited in the browser
        """CREATE TABLE IF NOT EXISTS review_changes (
               run_id BIGINT NOT NULL, customer_id VARCHAR NOT NULL, grade VARCHAR NOT NULL, why VARCHAR NOT NULL,
               changed_by VARCHAR NOT NULL, changed_at TIMESTAMP NOT NULL, PRIMARY KEY (run_id, customer_id))""",
        """CREATE TABLE IF NOT EXISTS drafts (
               standard_id VARCHAR PRIMARY KEY, text VARCHAR NOT NULL, saved_by VARCHAR NOT NULL,
               saved_at TIMESTAMP NOT NULL)""",
    ),
    10: (  # assessment forms (初评): a rater's ratings of one customer on a standard's criteria, and their status
        "CREATE SEQUENCE IF NOT EXISTS form_id",
        """CREATE TABLE IF NOT EXISTS forms (
               id BIGINT PRIMARY KEY DEFAULT nextval('form_id'), standard_id VARCHAR NOT NULL,
               customer_id VARCHAR NOT NULL, ratings JSON NOT NULL, comment VARCHAR, status VARCHAR NOT NULL,
               created_by VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL,
               submitted_by VARCHAR, submitted_at TIMESTAMP, reviewed_run BIGINT, reviewed_at TIMESTAMP)""",
    ),
    11: (  # the fitted parameters of a run's customer-base models (BG/NBD ...), so the run can be reproduced
        "ALTER TABLE runs ADD COLUMN IF NOT EXISTS models JSON",
    ),
    12: (  # runs of rules not in force (a draft's), and drafts a manager adopted as the standard in force
        "ALTER TABLE runs ADD COLUMN IF NOT EXISTS draft BOOLEAN DEFAULT false",
        """CREATE TABLE IF NOT EXISTS adoptions (
               standard_id VARCHAR NOT NULL, text VARCHAR NOT NULL, hash VARCHAR NOT NULL,
               adopted_by VARCHAR NOT NULL, adopted_at TIMESTAMP NOT NULL)""",
    ),
    13: (  # each run's decisions (every value explain reads), one table per run; NULL dimensions: an older run
        "CREATE SCHEMA IF NOT EXISTS decisions",
        "ALTER TABLE runs ADD COLUMN IF NOT EXISTS dimensions JSON",
    ),
}


@dataclass
class _Owner:
    """The one connection of a process that owns a workspace (``tierwise serve``), shared by its threads."""

    con: duckdb.DuckDBPyConnection
    lock: filelock.BaseFileLock
    write: threading.Lock = field(default_factory=threading.Lock)


_OWNERS: dict[Path, _Owner] = {}  # workspace root -> its owner in this process


def data_columns(con: Any, table: str) -> set[str]:
    """The column names of the workspace's data table ``table`` (empty when there is no such table)."""
    rows = con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'data' AND table_name = ?", [table]
    ).fetchall()
    return {r[0] for r in rows}


def last_change(con: Any, ignoring: tuple[str, ...] = ()) -> int:
    """The id of the last audit record whose action is not one of ``ignoring``: every change is audited, so a
    version of what a cached view shows (0 for a new workspace)."""
    marks = ", ".join("?" for _ in ignoring) or "NULL"
    query = f"SELECT coalesce(max(id), 0) FROM audit_log WHERE action NOT IN ({marks})"
    return int(con.execute(query, list(ignoring)).fetchall()[0][0])


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


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
        self._actor: str | None = None  # None: the operating-system login
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
        except (OSError, duckdb.Error) as exc:
            cls._undo(root, created)
            translated = storage_error(exc, root, "create the workspace")
            if translated is None:
                raise
            raise translated from exc
        except BaseException:
            cls._undo(root, created)
            raise

    @staticmethod
    def _undo(root: Path, created: bool) -> None:
        """Remove what a failed init left, so the folder can be used again."""
        for name in (CONFIG, DATABASE, DATABASE + ".wal", LOCK):
            with contextlib.suppress(OSError):
                (root / name).unlink(missing_ok=True)
        for name in ("standards", "reports"):
            with contextlib.suppress(OSError):
                (root / name).rmdir()
        if created:
            with contextlib.suppress(OSError):
                root.rmdir()

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
            admin = register(con, getpass.getuser(), "admin")
            workspace.audit(con, "init", str(workspace.root), {"schema_version": SCHEMA_VERSION, "admin": admin})
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

    def user(self) -> str:
        """Who is acting: the user this workspace was opened as (:meth:`as_user`), else the OS login."""
        return self._actor or getpass.getuser()

    def as_user(self, name: str, password: str | None = None) -> Workspace:
        """This workspace acting as the registered user ``name``, authenticated by ``password``.

        The operating-system login needs no password to act as the user of the same name.

        Raises
        ------
        AccessDenied
            For an unknown or disabled user, or a wrong or missing password.
        """
        with self.reading() as con:
            found = find_user(con, name)
        if found is None or found[0].disabled:
            state = "is disabled" if found else "is not a user of this workspace"
            raise AccessDenied(f"'{name}' {state}; 'tierwise users list' lists the users.")
        user, stored = found
        if password is None:
            if user.name.lower() != getpass.getuser().lower():
                raise AccessDenied(
                    f"Acting as '{user.name}' needs their password (you are the OS login '{getpass.getuser()}'); "
                    f"type it when asked, or pass it with --password-stdin."
                )
        elif not check_password(stored, password):
            raise AccessDenied(f"The password for '{user.name}' is wrong.")
        return self.acting(user.name)

    def acting(self, name: str) -> Workspace:
        """This workspace acting as ``name``, whose identity the caller has authenticated (a password, a session)."""
        other = Workspace(self.root)
        other._actor = name
        return other

    def authenticated(self, con: duckdb.DuckDBPyConnection) -> User:
        """The acting user, as registered (inside a transaction); refused when not registered or disabled."""
        found = find_user(con, self.user())
        if found is None:
            raise AccessDenied(
                f"You ('{self.user()}') are not a user of the workspace {self.root}; an admin adds you with "
                f"'tierwise users add {self.user()} --role ROLE', or act as a registered user with --user NAME."
            )
        if found[0].disabled:
            raise AccessDenied(f"The user '{found[0].name}' is disabled; an admin can tell you why.")
        return found[0]

    def authorize(self, con: duckdb.DuckDBPyConnection, action: str) -> User:
        """The acting user, if their role allows ``action`` (see ``ACCESS``); else :class:`AccessDenied`."""
        user = self.authenticated(con)
        if user.role not in ACCESS[action]:
            allowed = " or ".join(f"{r} ({role_label(r)})" for r in ACCESS[action])
            raise AccessDenied(
                f"'{user.name}' is {user.role} ({role_label(user.role)}) and may not {action_text(action)}; "
                f"that needs the role {allowed}."
            )
        self._actor = self._actor or user.name  # the audit log records the registered name
        return user

    def check_access(self, action: str) -> None:
        """:meth:`authorize` on a read-only connection: fail early, before a long computation.

        A busy workspace skips this early check; the write transaction authorizes again.
        """
        if self.root in _OWNERS:
            with self.reading() as owned:
                self.authorize(owned, action)
            return
        try:
            con = self._connect(time.monotonic(), read_only=True)
        except WorkspaceBusy:
            return
        with contextlib.closing(con):
            self.authorize(con, action)

    @contextlib.contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An exclusive, migrated connection; everything inside is one transaction.

        Waits up to :attr:`wait_seconds` for another writer or reader to finish, then
        raises :class:`WorkspaceBusy` naming who holds the workspace.
        """
        deadline = time.monotonic() + self.wait_seconds
        owner = _OWNERS.get(self.root)
        try:
            with contextlib.ExitStack() as stack:
                if owner is not None:  # this process serves the workspace: its threads write one at a time
                    if not owner.write.acquire(timeout=self.wait_seconds):
                        raise self._busy()
                    stack.callback(owner.write.release)
                    con = stack.enter_context(contextlib.closing(owner.con.cursor()))
                else:
                    stack.enter_context(self._lock(deadline))
                    con = stack.enter_context(contextlib.closing(self._connect(deadline, read_only=False)))
                    self._migrate(con)
                con.execute("BEGIN TRANSACTION")
                try:
                    before = grades_signature(con)
                    yield con
                    if grades_signature(con) != before:  # the store's own check: history never overlaps
                        check_history(con)
                except BaseException:
                    with contextlib.suppress(duckdb.Error):  # a failed commit has rolled back already
                        con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
        except (OSError, duckdb.Error) as exc:
            translated = storage_error(exc, self.root, "change the workspace")
            if translated is None:
                raise
            raise translated from exc

    @contextlib.contextmanager
    def reading(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-only connection that sees only committed changes; waits a bounded time for a writer."""
        owner = _OWNERS.get(self.root)
        if owner is not None:
            con = owner.con.cursor()
        else:
            con = self._connect(time.monotonic() + self.read_wait_seconds, read_only=True)
            if self._older(con):  # written by an older tierwise: upgrade it once, then read
                con.close()
                with self.writing():
                    pass
                con = self._connect(time.monotonic() + self.read_wait_seconds, read_only=True)
        with contextlib.closing(con):
            yield con

    @staticmethod
    def _older(con: duckdb.DuckDBPyConnection) -> bool:
        """Whether the store's schema is older than this tierwise's (a read would miss its newer columns)."""
        try:
            rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
        except duckdb.CatalogException:
            return True
        return bool(rows) and int(rows[0][0]) < SCHEMA_VERSION

    @contextlib.contextmanager
    def own(self, address: str) -> Iterator[None]:
        """Hold the workspace for this process, as ``tierwise serve`` at ``address`` does, until the block ends.

        Meanwhile every :class:`Workspace` of this folder in this process shares one
        connection (reads run side by side, writes one at a time), and other processes
        get :class:`WorkspaceBusy` at once, naming the server.
        """
        if self.root in _OWNERS:
            raise WorkspaceError(f"The workspace {self.root} is already served by this process.")
        lock = filelock.FileLock(str(self.root / LOCK))
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout as exc:
            raise self._busy() from exc
        try:
            self._write_holder("serve", address)
            con = self._connect(time.monotonic() + self.wait_seconds, read_only=False)
        except BaseException:
            self._drop_holder()
            lock.release()
            raise
        try:
            self._migrate(con)
            _OWNERS[self.root] = _Owner(con, lock)
            yield
        finally:
            _OWNERS.pop(self.root, None)
            con.close()
            self._drop_holder()
            lock.release()

    @property
    def wait_seconds(self) -> float:
        """How long a writer waits for the workspace (``[workspace] wait_seconds`` in tierwise.toml, default 10)."""
        return float(self._settings().get("wait_seconds", 10.0))

    @property
    def read_wait_seconds(self) -> float:
        """How long a reader waits for a writer (``[workspace] read_wait_seconds``, default 30)."""
        return float(self._settings().get("read_wait_seconds", 30.0))

    def _settings(self) -> dict[str, Any]:
        import tomllib

        try:
            with (self.root / CONFIG).open("rb") as handle:
                section = tomllib.load(handle).get("workspace", {})
        except (OSError, tomllib.TOMLDecodeError):
            return {}
        return section if isinstance(section, dict) else {}

    def _holder(self) -> dict[str, Any] | None:
        try:
            who = json.loads((self.root / HOLDER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return who if isinstance(who, dict) else None

    def _served(self) -> bool:
        """Whether a ``tierwise serve`` process holds the workspace (then waiting is pointless)."""
        who = self._holder()
        return who is not None and who.get("command") == "serve"

    def _busy(self) -> WorkspaceBusy:
        who = self._holder()
        try:
            if who is not None and who.get("command") == "serve":
                return WorkspaceBusy(
                    f"The workspace {self.root} is busy: 'tierwise serve' at {who['address']} owns it "
                    f"(started by {who['user']}, process {who['pid']}, since {who['since']}). Use the web app or its "
                    f"JSON API at {who['address']}/api/v1, or stop the server first."
                )
            what = (
                f"'tierwise {who['command']}' by {who['user']} (process {who['pid']}, since {who['since']})"
                if who is not None
                else "another tierwise command"
            )
        except KeyError:
            what = "another tierwise command"
        return WorkspaceBusy(f"The workspace {self.root} is busy: {what} is using it. Try again when it has finished.")

    def _write_holder(self, command: str, address: str | None = None) -> None:
        with contextlib.suppress(OSError):
            (self.root / HOLDER).write_text(
                json.dumps(
                    {
                        "command": command,
                        "address": address,
                        "user": self.user(),
                        "pid": os.getpid(),
                        "since": dt.datetime.now().isoformat(timespec="seconds"),
                    },
                    ensure_ascii=False,
                ),
                encoding="utf-8",
            )

    def _drop_holder(self) -> None:
        with contextlib.suppress(OSError):
            (self.root / HOLDER).unlink()

    def _connect(self, deadline: float, *, read_only: bool) -> duckdb.DuckDBPyConnection:
        pause = 0.02
        while True:
            try:
                con = duckdb.connect(str(self.database), read_only=read_only)
                con.execute("SET enable_progress_bar = false")  # commands report their own progress
                return con
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise WorkspaceError(
                        f"The workspace store {self.database} cannot be opened: {_first_line(exc)}"
                    ) from exc
                if time.monotonic() >= deadline or self._served():
                    raise self._busy() from exc
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    @contextlib.contextmanager
    def _lock(self, deadline: float) -> Iterator[None]:
        lock = filelock.FileLock(str(self.root / LOCK))
        try:
            lock.acquire(timeout=0 if self._served() else max(deadline - time.monotonic(), 0), poll_interval=0.05)
        except filelock.Timeout as exc:
            raise self._busy() from exc
        try:
            self._write_holder(" ".join(sys.argv[1:3]) if sys.argv[1:] else "(Python API)")
            yield
        finally:
            self._drop_holder()
            lock.release()

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
            if version == 4 and current > 0:  # an older store had no users: whoever upgrades it is its admin
                admin = register(con, getpass.getuser(), "admin")
                self.audit(con, "user-added", admin, {"role": "admin", "why": "schema 4 introduced users"})
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
