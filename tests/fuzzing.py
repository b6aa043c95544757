"""Fuzzing helpers shared by the CI tests and the long runs in ``scripts/``.

``mutate_standard`` turns a built-in standard into a hostile or careless variant (a value
replaced, a key dropped or misspelt, a list emptied, a mapping turned into a list), and
with the kinds of :data:`KINDS` as an attacker writes it: deep expression nesting, YAML
merge keys and tags, huge and tiny literals, long strings, mixed types, many entries;
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


KINDS = ("deep nesting", "merge key", "huge or tiny literal", "long string", "mixed type", "many entries")
_MERGE = "__fuzz_merge__"


def _deep(rng: random.Random, inner: Any) -> str:
    """An expression nested ``n`` levels deep around ``inner``, the way a generator gone wrong writes it."""
    n = rng.choice((40, 60, 200, 3000))
    word = str(inner) if isinstance(inner, str) and inner else "amount > 1"
    shape = rng.randrange(5)
    if shape == 0:
        return "not " * n + word
    if shape == 1:
        return "-" * n + "1"
    if shape == 2:
        return "(" * n + word + ")" * n
    if shape == 3:
        return " + ".join(["amount"] * n)
    return "abs(" * n + "1" + ")" * n


class _Digits(str):
    """A number too long for ``str(int)`` (over 4,300 digits), written into the YAML as a plain integer."""


def _literal(rng: random.Random) -> Any:
    return rng.choice(
        (
            10 ** rng.choice((15, 16, 19, 309, 400)),
            _Digits("1" + "0" * 5000),
            -(10 ** rng.choice((16, 400))),
            float("inf"),
            float("-inf"),
            float("nan"),
            1e-300,
            5e-324,
            -0.0,
            "9" * rng.choice((20, 400)),
            "9" * 30 + "亿",
            "0." + "0" * 400 + "1",
            "1" + "0" * 400 + "%",
            f"{10**20} days",
            f"{10**6} years",
            "99999-01-01",
            f">= {10**400}",
        )
    )


def _mixed(rng: random.Random) -> Any:
    return rng.choice(
        (
            dt.date(2026, 3, 31),
            dt.datetime(2026, 3, 31, 12, 0),
            b"\x00\xff",
            {1, 2},
            [[[]]],
            {"a": {"b": {"c": None}}},
            [None, True, 1.5, "x", {}],
            {None: 1},
            {1.5: "x"},
            {True: "A"},
            ("tuple",),
        )
    )


def _room(item: Any) -> int:
    """How many copies of ``item`` keep the file near two million characters (over the size limit, not gigabytes)."""
    return max(2, 2_000_000 // len(_dump(item)))


def _mutate_hostile(data: Any, rng: random.Random, path: tuple[Any, ...], parent: Any, last: Any) -> None:
    kind = rng.choice(KINDS)
    value = parent[last]
    if kind == "deep nesting":
        parent[last] = _deep(rng, value)
    elif kind == "merge key":
        target = value if isinstance(value, dict) else parent if isinstance(parent, dict) else None
        if target is not None:
            target[_MERGE] = rng.choice(({"x": 1}, [{"a": 1}, {"b": 2}], 5, "text", copy.deepcopy(target)))
    elif kind == "huge or tiny literal":
        parent[last] = _literal(rng)
    elif kind == "long string":
        length = rng.choice((1_000, 20_000, 100_000))
        parent[last] = rng.choice(("x", "贡", "(", "a,", "1", " ", "'")) * length
    elif kind == "mixed type":
        parent[last] = _mixed(rng)
    elif isinstance(value, list) and value:  # many entries: a list grown to thousands, as a runaway export writes
        item = value[-1]
        count = min(rng.choice((1_000, 1_000, 3_000, 20_000)), _room(item))
        parent[last] = [f"{item}{i}" if isinstance(item, str) else copy.deepcopy(item) for i in range(count)]
    elif isinstance(value, dict) and value:
        item = next(iter(value.values()))
        count = min(rng.choice((1_000, 5_000)), _room(item))
        value.update({f"k{i}": copy.deepcopy(item) for i in range(count)})


def _dump(data: Any) -> str:
    """YAML of ``data``; ``__fuzz_merge__`` keys become ``<<`` merge keys (safe_dump cannot write them)."""

    class Dumper(yaml.CSafeDumper):  # libyaml: a hostile file of megabytes is written in a moment
        pass

    Dumper.add_representer(tuple, lambda d, v: d.represent_list(list(v)))
    Dumper.add_representer(_Digits, lambda d, v: d.represent_scalar("tag:yaml.org,2002:int", str.__str__(v)))
    Dumper.add_representer(set, lambda d, v: d.represent_dict(dict.fromkeys(v)))
    text = yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    return text.replace(f"{_MERGE}:", "<<:")


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


def mutate_standard(text: str, rng: random.Random, rounds: int = 3, *, hostile: bool = False) -> str:
    """A variant of a standard's YAML with ``rounds`` random mutations (``hostile``: half of them of :data:`KINDS`)."""
    data = yaml.safe_load(text)
    for _ in range(rounds):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = rng.choice(paths)
        parent, last = _parent(data, path), path[-1]
        if hostile and rng.random() < 0.5:
            _mutate_hostile(data, rng, path, parent, last)
            continue
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
    return _dump(data)


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


CORRUPTIONS = ("none", "extra cell", "missing cell", "nul", "bare cr", "unquoted comma", "unterminated quote")


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
    if corruption == "unterminated quote":
        return f'"K{number}","a","b","unterminated\n'
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
