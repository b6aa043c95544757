"""The indicator cache: every customer's indicators, kept by what they depend on.

A standard's indicators (12-month sales, order counts, tenure …) cost a pass over the
transactions; its grader (thresholds, weights, matrix cells) costs little. A run stores
the indicators of every customer in the ``cache`` schema under a key made of the
indicator definitions, the population, the standards referred to, the date, tierwise's
version and the fingerprint of every input table, so a run or a simulation of the same
standard with another threshold grades from the cache. An import changes a fingerprint,
so nothing stale can be hit; it also empties the cache. The :data:`KEEP` most recently
used entries are kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from tierwise._sql import qualified

__all__ = ["KEEP", "clear_cache", "input_fingerprints", "materializer", "record_fingerprint"]

KEEP = 8


def _has(con: Any, table: str) -> bool:
    """Whether the store has ``table`` (a store not yet migrated, opened to read, has not)."""
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?", [table]
    ).fetchall()
    return bool(found[0][0])


def _fingerprint(con: Any, table: str) -> dict[str, Any]:
    rows, digest = con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {qualified('data', table)} t").fetchall()[0]
    return {"rows": int(rows), "hash": f"{int(digest or 0):016x}"}


def record_fingerprint(con: Any, table: str) -> None:
    """Store the fingerprint of the data table ``table`` (inside the import's transaction)."""
    found = _fingerprint(con, table)
    con.execute("INSERT OR REPLACE INTO table_fingerprints VALUES (?, ?, ?)", [table, found["rows"], found["hash"]])


def input_fingerprints(con: Any) -> dict[str, Any]:
    """``{table: {rows, hash}}`` of every data table: stored at import, computed for older stores."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'data' ORDER BY 1"
        ).fetchall()
    ]
    rows = (
        con.execute("SELECT table_name, rows, hash FROM table_fingerprints").fetchall()
        if _has(con, "table_fingerprints")
        else []
    )
    stored = {r[0]: {"rows": int(r[1]), "hash": r[2]} for r in rows}
    return {name: stored.get(name) or _fingerprint(con, name) for name in names}


def clear_cache(con: Any) -> None:
    """Drop every cached indicator table (an import changed the data)."""
    for (name,) in con.execute("SELECT table_name FROM indicator_cache").fetchall():
        con.execute(f"DROP TABLE IF EXISTS {qualified('cache', name)}")
    con.execute("DELETE FROM indicator_cache")


def materializer(con: Any, backend: Any, inputs: dict[str, Any], *, store: bool) -> Any:
    """The ``materialize`` hook of :func:`tierwise.compile.compile_standard` for this workspace.

    It answers from the cache when the key is there; otherwise it stores the indicators
    when ``store`` (a run, in the writing transaction) and leaves them to be computed
    when not (a simulation reads only).
    """
    fingerprint = json.dumps(inputs, sort_keys=True)
    usable = _has(con, "indicator_cache")

    def materialize(key_text: str, expr: Any) -> Any:
        if not usable:
            return expr
        key = hashlib.sha256((key_text + "\n" + fingerprint).encode("utf-8")).hexdigest()[:32]
        name = f"ind_{key}"
        hit = con.execute("SELECT count(*) FROM indicator_cache WHERE key = ?", [key]).fetchall()[0][0]
        if hit:
            if store:
                con.execute("UPDATE indicator_cache SET used_at = ? WHERE key = ?", [dt.datetime.now(), key])
            return backend.table(name, database="cache")
        if not store:
            return expr
        con.execute(f"CREATE TABLE {qualified('cache', name)} AS {backend.compile(expr)}")
        rows = con.execute(f"SELECT count(*) FROM {qualified('cache', name)}").fetchall()[0][0]
        now = dt.datetime.now()
        con.execute("INSERT INTO indicator_cache VALUES (?, ?, ?, ?, ?)", [key, name, now, now, rows])
        for (old,) in con.execute(
            "SELECT table_name FROM indicator_cache ORDER BY used_at DESC, created_at DESC OFFSET ?", [KEEP]
        ).fetchall():
            con.execute(f"DROP TABLE IF EXISTS {qualified('cache', old)}")
            con.execute("DELETE FROM indicator_cache WHERE table_name = ?", [old])
        return backend.table(name, database="cache")

    return materialize
