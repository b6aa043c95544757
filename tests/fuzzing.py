"""Fuzzing helpers shared by the CI tests and the long runs in ``scripts/``.

``mutate_standard`` turns a built-in standard into a hostile or careless variant (a value
replaced, a key dropped or misspelt, a list emptied, a mapping turned into a list);
``verdict`` says what tierwise did with it: ``"ok"`` (checked and evaluated), ``"located"``
(refused with a located error) or ``"crash: ..."`` (anything else, a bug).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import random
from typing import Any

import yaml

import tierwise

POOL: tuple[Any, ...] = (
    "",
    "0",
    0,
    -1,
    1.5,
    1e308,
    "1e999",
    "__import__('os')",
    'a"b',
    "a'b",
    "x; DROP TABLE t --",
    "贡献度",
    "普通",
    None,
    True,
    [],
    {},
    "sum(amount)",
    "max(date)",
    "12.3万",
    "50%",
    "2024-13-01",
    "12 months",
    "*",
    "high",
    ">=4",
    "A",
    "transactions",
    "customers",
    "amount",
    "date",
    [1, 2],
    {"ladder": {"on": "x", "steps": [{"grade": "A"}]}},
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*path, index))
    return out


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for seg in path[:-1]:
        data = data[seg]
    return data


def mutate_standard(text: str, rng: random.Random, rounds: int = 3) -> str:
    """A variant of a standard's YAML with ``rounds`` random mutations."""
    data = yaml.safe_load(text)
    for _ in range(rounds):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = rng.choice(paths)
        parent, last = _parent(data, path), path[-1]
        action = rng.randrange(6)
        if action == 0:
            parent[last] = copy.deepcopy(rng.choice(POOL))
        elif action == 1 and isinstance(parent, dict):
            del parent[last]
        elif action == 2 and isinstance(parent, dict) and isinstance(last, str):
            value = parent.pop(last)
            parent[last[:-1] + rng.choice("sxe_") if last else "x"] = value
        elif action == 3 and isinstance(parent, list):
            parent.insert(rng.randrange(len(parent) + 1), copy.deepcopy(parent[last]))
        elif action == 4 and isinstance(parent[last], (dict, list)):
            parent[last] = list(parent[last].values()) if isinstance(parent[last], dict) else {}
        elif action == 5 and isinstance(parent[last], list) and parent[last]:
            parent[last].pop(rng.randrange(len(parent[last])))
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def verdict(text: str, tables: dict[str, Any], as_of: dt.date) -> str:
    """Check, then evaluate and explain: ``ok``, ``located`` or ``crash: <what>``."""
    try:
        standard = tierwise.loads_standard(text, file="fuzz.yaml")
    except tierwise.StandardError as exc:
        return "located" if all(p.line is not None for p in exc.problems) else f"crash: unlocated: {exc}"
    except Exception as exc:  # noqa: BLE001 - a fuzz verdict: any other exception is the bug looked for
        return f"crash in check: {type(exc).__name__}: {exc}"
    try:
        result = tierwise.evaluate(standard, data=tables, as_of=as_of)
        table = result.to_arrow()
        if table.num_rows:
            str(result.explain(table.column("customer_id")[0].as_py()))
        result.summary()
    except tierwise.StandardError as exc:
        return "located" if all(p.line is not None for p in exc.problems) else f"crash: unlocated: {exc}"
    except tierwise.DataError as exc:  # about the data, not the file: names the table and column
        return "located" if str(exc) else f"crash: empty {type(exc).__name__}"
    except Exception as exc:  # noqa: BLE001 - a fuzz verdict: any other exception is the bug looked for
        return f"crash in evaluate: {type(exc).__name__}: {exc}"
    return "ok"


CORRUPTIONS = ("none", "extra cell", "missing cell", "nul", "bare cr", "unquoted comma")


def export_line(number: int, cells: list[str], corruption: str) -> str:
    """One row as an export writes it (quoted where needed), then damaged as ``corruption`` says."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow([f"K{number}", *cells])
    line = buffer.getvalue()
    if corruption == "extra cell":
        return line[:-1] + ",EXTRA\n"
    if corruption == "missing cell":
        return f"K{number}\n"
    if corruption == "nul":
        return f"K{number},a\x00b,c,d\n"
    if corruption == "bare cr":
        return f"K{number},a\rb,c,d\n"
    if corruption == "unquoted comma":
        return f"K{number},1,234.5,c,d\n"
    return line


def import_outcome(ws: Any, path: Any, rows: list[tuple[list[str], str]]) -> str:
    """Write ``rows`` (cells, corruption) as an export to ``path`` and import it: ``ok`` when every row
    is imported or reported with its line and the imported ids are exactly the sound rows'."""
    path.write_bytes(("customer_id,a,b,c\n" + "".join(export_line(n, c, k) for n, (c, k) in enumerate(rows))).encode())
    try:
        result = tierwise.import_file(ws, "customers", path, allow_bad_rows=True)
    except tierwise.ImportRefused as exc:  # nothing good at all: every row is reported
        imported, reported = 0, {p.row for p in exc.problems}
    except Exception as exc:  # noqa: BLE001 - a fuzz verdict: any other exception is the bug looked for
        return f"crash: {type(exc).__name__}: {exc}"
    else:
        imported = result.rows
        reported = {
            r["row"]
            for r in ws.records('SELECT DISTINCT "row" FROM quarantine WHERE import_id = ?', [result.import_id])
        }
    if imported + len(reported) != len(rows):
        return f"silent drop: {len(rows)} rows, {imported} imported, {len(reported)} reported"
    if len(reported) != sum(1 for _, kind in rows if kind != "none"):
        return "a sound row reported or a damaged row imported"
    if imported:
        ids = {r["customer_id"] for r in ws.records("SELECT customer_id FROM data.customers")}
        if ids != {f"K{n}" for n, (_, kind) in enumerate(rows) if kind == "none"}:
            return "imported ids differ from the sound rows"
    return "ok"
