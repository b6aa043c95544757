"""Loading standard files: YAML with lines, pydantic validation, whole-file checks.

Every problem in a file is reported at once, each located (file:line) and phrased as a
sentence with the bad value and, for unknown names, a "Did you mean ...?".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydantic
import yaml

from ._expr import ExprError, names, parse_expression
from ._literals import shown_text
from ._model import GRADER_KINDS, Indicator, Standard, StandardRef
from ._problems import Problem, StandardError, did_you_mean
from ._yaml import Located, read_yaml

__all__ = ["check_files", "load_standard", "loads_standard"]

Path_ = tuple[str | int, ...]

_MODEL_KEYS: dict[str, tuple[str, ...]] = {
    "standard": tuple(f.alias or n for n, f in Standard.model_fields.items()),
    "indicator": tuple(f.alias or n for n, f in Indicator.model_fields.items()),
    "grader": GRADER_KINDS,
    "ladder": ("on", "steps"),
    "step": ("grade", "at_least", "above", "at_most", "below"),
    "rule": ("when", "then", "otherwise"),
    "scorecard": ("criteria", "missing_points", "steps"),
    "criterion": ("name", "weight", "on", "points", "synonyms", "bands"),
    "band": ("points", "at_least", "above", "at_most", "below"),
    "pareto": ("on", "classes"),
    "pareto_class": ("grade", "up_to"),
    "percentile": ("on", "classes"),
    "percentile_class": ("grade", "top"),
    "rfm": ("recency", "frequency", "monetary", "split", "scores", "segments"),
    "segment": ("grade", "r", "f", "m"),
    "map": ("on", "values", "otherwise"),
    "matrix": ("dimensions", "cells", "otherwise"),
    "cluster": ("on", "segments", "rank_by", "seed", "sample", "log"),
    "lifecycle": ("cadence", "provisional", "downgrade", "upgrade", "overrides"),
    "cadence": ("every", "on"),
    "provisional": ("tenure_below",),
    "downgrade": ("hold", "max_steps"),
    "overrides": ("approval", "max_duration"),
    "ref": ("standard",),
}
_ITEMS = {
    "steps": "step",
    "rules": "rule",
    "criteria": "criterion",
    "bands": "band",
    "segments": "segment",
    "cells": "cell",
    "classes": "class",
}


def _object_kind(path: Path_) -> str | None:
    """Which kind of object sits at ``path`` (for the keys it allows)."""
    if not path:
        return "standard"
    last, prev = path[-1], path[-2] if len(path) > 1 else None
    before = path[-3] if len(path) > 2 else None
    if isinstance(last, int):
        if prev == "classes":
            return f"{before}_class"
        if prev == "steps" and before == "scorecard":
            return "step"
        return _ITEMS.get(str(prev)) if prev != "cells" else None
    if prev == "indicators":
        return "indicator"
    if prev == "lifecycle" and last in _MODEL_KEYS:
        return str(last)
    if last == "lifecycle" and len(path) == 1:
        return "lifecycle"
    if last in GRADER_KINDS and prev not in ("indicators", "dimensions", "policies", "values"):
        return str(last)
    if last in ("grade", "then", "otherwise") or prev == "dimensions":
        return "grader"
    return None


def describe(path: Path_) -> str:
    """A human name for the object at ``path``: "step 2 of the ladder grader"."""
    phrase = "the standard"
    for index, seg in enumerate(path):
        prev = path[index - 1] if index else None
        if prev == "indicators":
            phrase = f"indicator '{seg}'"
        elif prev == "dimensions":
            phrase = f"dimension '{seg}' of {phrase}"
        elif prev == "policies":
            phrase = f"the policies of grade '{seg}'"
        elif isinstance(seg, int):
            phrase = f"{_ITEMS.get(str(prev), 'item')} {seg + 1} of {phrase}"
        elif seg in GRADER_KINDS and prev not in ("values",):
            phrase = "the rules" if seg == "rules" else f"the {seg} grader"
        elif seg == "lifecycle" and index == 0:
            phrase = "the lifecycle"
        elif prev == "lifecycle":
            phrase = f"lifecycle '{seg}'"
        elif seg == "criteria" or seg == "window":
            phrase = f"the {seg} of {phrase}" if seg == "window" else phrase
    return phrase


def _clean_loc(loc: tuple[Any, ...], data: Any) -> Path_:
    """Drop pydantic's union tags from an error location by walking the raw data."""
    out: list[str | int] = []
    node = data
    for seg in loc:
        if (isinstance(node, dict) and seg in node) or (
            isinstance(node, list) and isinstance(seg, int) and seg < len(node)
        ):
            out.append(seg)
            node = node[seg]
        elif seg in ("grade", "grader", "standard") and isinstance(node, (dict, str)):
            continue
        else:
            out.append(seg)
            node = None
    return tuple(out)


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith((".", "?", "!")) else text + "."


_ITEM_IN_MESSAGE = re.compile(r"\b(step|band|class|segment|rule|cell) (\d+) of")
_CONTAINERS = {
    "step": "steps",
    "band": "bands",
    "class": "classes",
    "segment": "segments",
    "rule": "rules",
    "cell": "cells",
}


def _node_at(data: Any, path: Path_) -> Any:
    """The raw YAML value at ``path``, or None where the path leads nowhere."""
    node = data
    for seg in path:
        if isinstance(node, dict):
            node = node.get(seg)
        elif isinstance(node, list) and isinstance(seg, int) and seg < len(node):
            node = node[seg]
        else:
            return None
    return node


def _refine(path: Path_, message: str, data: Any) -> Path_:
    """Point a whole-object error at the item its message names ("step 2 of ...")."""
    match = _ITEM_IN_MESSAGE.search(message)
    if match is None:
        return path
    node = _node_at(data, path)
    key, index = _CONTAINERS[match.group(1)], int(match.group(2)) - 1
    if key == "rules" and isinstance(node, list) and index < len(node):
        return (*path, index)
    if isinstance(node, dict) and isinstance(node.get(key), list) and index < len(node[key]):
        return (*path, key, index)
    return path


def _grader_path(path: Path_, data: Any) -> Path_:
    """Extend a path that ends on a grader mapping with its kind (``grade`` -> ``grade.rules``)."""
    node = _node_at(data, path)
    if isinstance(node, dict):
        kinds = [k for k in GRADER_KINDS if k in node]
        if len(kinds) == 1:
            return (*path, kinds[0])
    return path


def _translate(error: Any, located: Located) -> Problem:
    path = _clean_loc(error["loc"], located.data)
    kind = error["type"]
    field = path[-1] if path else None
    owner = describe(path[:-1])
    value = error.get("input")
    if kind == "extra_forbidden":
        allowed = _MODEL_KEYS.get(_object_kind(path[:-1]) or "", ())
        message = f"Unknown key '{field}' in {owner}.{did_you_mean(str(field), allowed)}"
    elif kind == "missing":
        message = f"{_sentence(owner)[:-1]} needs '{field}'."
    elif kind in ("value_error", "assertion_error"):
        text = error["msg"].removeprefix("Value error, ")
        if field == "[key]":
            path = path[:-1]
            message = f"The name of {describe(path)} is not valid: {_sentence(text)}"
        elif isinstance(field, str) and not text.startswith(
            ("The ", "A ", "An ", "Only", "Give", "Each", "Criterion", "Cell", "Segment", "Rule")
        ):
            message = f"The '{field}' of {owner} is not valid: {_sentence(text)[0].lower()}{_sentence(text)[1:]}"
        else:
            path = _grader_path(_refine(path, text, located.data), located.data)
            owner = describe(path)
            named = owner == "the standard" or any(word in text for word in (*GRADER_KINDS, "indicator"))
            message = _sentence(text) if named else f"{_sentence(text)[:-1]} (in {owner})."
    elif kind == "literal_error":
        message = f"The '{field}' of {owner} must be {error['ctx']['expected']}. Got {shown_text(repr(value))} instead."
    elif kind == "string_pattern_mismatch" and field == "id":
        message = (
            f"The id must be a slug of lowercase letters, digits, '-' and '_' (like 'annual-sales'). "
            f"Got {shown_text(repr(value))} instead."
        )
    else:
        msg = error["msg"][0].lower() + error["msg"][1:]
        message = f"The '{field}' of {owner} is not valid: {msg}. Got {shown_text(repr(value))} instead."
    return located.problem(path, message)


# --------------------------------------------------------------------- whole-file checks


def _graders(node: Any, path: Path_) -> Iterator[tuple[Path_, str, Any]]:
    """Every (path, kind, body) of the graders nested in a raw grader dict."""
    if not isinstance(node, dict):
        return
    for kind in GRADER_KINDS:
        if kind in node:
            body = node[kind]
            yield (*path, kind), kind, body
            if kind == "rules" and isinstance(body, list):
                for i, rule in enumerate(body):
                    for key in ("then", "otherwise"):
                        if isinstance(rule, dict) and isinstance(rule.get(key), dict):
                            yield from _graders(rule[key], (*path, kind, i, key))


def _labels(kind: str, body: Any, path: Path_) -> Iterator[tuple[Path_, Any]]:
    """(path, label) of every grade a raw grader body can give."""

    def items(key: str) -> list[Any]:
        value = body.get(key) if isinstance(body, dict) else None
        return value if isinstance(value, list) else []

    if kind in ("ladder", "scorecard"):
        for i, step in enumerate(items("steps")):
            if isinstance(step, dict) and "grade" in step:
                yield (*path, "steps", i, "grade"), step["grade"]
    elif kind in ("pareto", "percentile"):
        for i, cls in enumerate(items("classes")):
            if isinstance(cls, dict) and "grade" in cls:
                yield (*path, "classes", i, "grade"), cls["grade"]
    elif kind == "rfm":
        for i, seg in enumerate(items("segments")):
            if isinstance(seg, dict) and "grade" in seg:
                yield (*path, "segments", i, "grade"), seg["grade"]
    elif kind == "cluster":
        for i, label in enumerate(items("segments")):
            if not isinstance(label, (dict, list)):
                yield (*path, "segments", i), label
    elif kind == "rules" and isinstance(body, list):
        for i, rule in enumerate(body):
            for key in ("then", "otherwise"):
                if isinstance(rule, dict) and key in rule and not isinstance(rule[key], dict):
                    yield (*path, i, key), rule[key]
    elif kind == "map" and isinstance(body, dict):
        if isinstance(body.get("values"), dict):
            for key, label in body["values"].items():
                yield (*path, "values", key), label
        if "otherwise" in body:
            yield (*path, "otherwise"), body["otherwise"]
    elif kind == "matrix" and isinstance(body, dict):
        for i, cell in enumerate(items("cells")):
            if isinstance(cell, dict) and "grade" in cell:
                yield (*path, "cells", i, "grade"), cell["grade"]
        if "otherwise" in body:
            yield (*path, "otherwise"), body["otherwise"]


def _check_labels(located: Located) -> list[Problem]:
    data = located.data
    grades = data.get("grades")
    if not isinstance(grades, list) or not grades:
        return []
    known = [str(g) for g in grades]
    problems: list[Problem] = []

    def check(path: Path_, label: Any, where: str) -> None:
        if str(label) not in known:
            problems.append(
                located.problem(
                    path,
                    f"The grade '{label}' in {where} is not one of the standard's grades "
                    f"({', '.join(known)}).{did_you_mean(str(label), known)}",
                )
            )

    for path, kind, body in _graders(data.get("grade"), ("grade",)):
        for label_path, label in _labels(kind, body, path):
            check(label_path, label, describe(label_path[:-1]))
        if kind == "matrix" and isinstance(body, dict):
            problems.extend(_check_cells(located, body, path))
    if "missing" in data:
        check(("missing",), data["missing"], "'missing'")
    if isinstance(data.get("policies"), dict):
        for key in data["policies"]:
            check(("policies", key), key, "'policies'")
    return problems


def _check_cells(located: Located, body: dict[str, Any], path: Path_) -> list[Problem]:
    """Cell values must be labels their dimension's grader can give."""
    dims = body.get("dimensions")
    cells = body.get("cells")
    if not isinstance(dims, dict) or not isinstance(cells, list):
        return []
    problems = []
    for dim, spec in dims.items():
        if not isinstance(spec, dict) or "standard" in spec:
            continue
        labels = [str(lbl) for _, kind, b in _graders(spec, ()) for _, lbl in _labels(kind, b, ())]
        if not labels:
            continue
        for i, cell in enumerate(cells):
            if isinstance(cell, dict) and dim in cell and str(cell[dim]) != "*" and str(cell[dim]) not in labels:
                problems.append(
                    located.problem(
                        (*path, "cells", i, dim),
                        f"Cell {i + 1} of the matrix asks for {dim} '{cell[dim]}', which dimension '{dim}' never gives "
                        f"({', '.join(dict.fromkeys(labels))}).{did_you_mean(str(cell[dim]), labels)}",
                    )
                )
    return problems


def _check_indicator_cycles(located: Located) -> list[Problem]:
    indicators = located.data.get("indicators")
    if not isinstance(indicators, dict):
        return []
    deps: dict[str, set[str]] = {}
    for name, spec in indicators.items():
        if isinstance(spec, dict) and isinstance(spec.get("expr"), str):
            try:
                used = {n.name for n in names(parse_expression(spec["expr"]))}
            except ExprError:
                continue
            deps[str(name)] = {u for u in used if u in indicators}
    problems: list[Problem] = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for dep in sorted(deps.get(name, ())):
            if state.get(dep) == 1:
                cycle = [*trail[trail.index(dep) :], dep] if dep in trail else [name, dep]
                problems.append(
                    located.problem(
                        ("indicators", name, "expr"),
                        f"The indicators refer to each other in a circle: {' -> '.join(cycle)}. "
                        f"Compute one of them from a table or an attribute instead.",
                    )
                )
            elif state.get(dep) is None:
                visit(dep, [*trail, dep])
        state[name] = 2

    for name in deps:
        if name not in state:
            visit(name, [name])
    return problems


# --------------------------------------------------------------------- loading


def _validate(located: Located) -> tuple[Standard | None, list[Problem]]:
    data = located.data
    if not isinstance(data, dict):
        return None, [
            located.problem(
                (), f"A standard is a mapping of keys (tierwise, id, name …). Got {type(data).__name__} instead."
            )
        ]
    problems = _check_labels(located) + _check_indicator_cycles(located)
    try:
        standard = Standard.model_validate(data)
    except pydantic.ValidationError as exc:
        problems.extend(_translate(err, located) for err in exc.errors())
        return None, problems
    return (standard if not problems else None), problems


def _reference_ids(standard: Standard) -> list[tuple[str, tuple[str | int, ...]]]:
    refs: list[tuple[str, tuple[str | int, ...]]] = [
        (ind.standard, ("indicators", name, "standard")) for name, ind in standard.indicators.items() if ind.standard
    ]

    for path, grader in standard.grade.walk():
        if grader.matrix is not None:
            for dim, spec in grader.matrix.dimensions.items():
                if isinstance(spec, StandardRef):
                    refs.append((spec.standard, (*path, "matrix", "dimensions", dim)))
    return refs


def _ids_in_folder(folder: Path) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for candidate in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        try:
            head = yaml.safe_load(candidate.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError, OSError):
            continue
        if isinstance(head, dict) and isinstance(head.get("id"), str):
            found.setdefault(head["id"], candidate)
    return found


def _read_text(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise StandardError([Problem(str(path), None, "The file is neither UTF-8 nor GBK text; save it as UTF-8.")])


def _load(text: str, file: str, folder: Path | None, stack: tuple[str, ...]) -> Standard:
    located, problems = read_yaml(text, file)
    standard = None
    if located is not None:
        standard, more = _validate(located)
        problems += more
    if problems or standard is None or located is None:
        raise StandardError(problems)
    standard._source, standard._text, standard._lines = file, text, dict(located.lines)
    refs = _reference_ids(standard)
    if refs:
        available = _ids_in_folder(folder) if folder is not None else {}
        for ref_id, path in refs:
            if ref_id == standard.id or ref_id in stack:
                chain = " -> ".join([*stack, standard.id, ref_id])
                problems.append(
                    located.problem(path, f"The standards refer to each other in a circle: {chain}. Break the circle.")
                )
                continue
            if ref_id in standard._references:
                continue
            target = available.get(ref_id)
            if target is None:
                where = f"the folder {folder}" if folder else "memory (load it from a file to use references)"
                problems.append(
                    located.problem(
                        path, f"No standard with id '{ref_id}' in {where}.{did_you_mean(ref_id, available)}"
                    )
                )
                continue
            try:
                standard._references[ref_id] = _load(_read_text(target), str(target), folder, (*stack, standard.id))
            except StandardError as exc:
                problems.extend(exc.problems)
    if problems:
        raise StandardError(problems)
    return standard


def load_standard(path: str | Path) -> Standard:
    """Load and validate a standard file, with the standards it refers to.

    Parameters
    ----------
    path
        A ``.yaml`` standard file. ``standard:`` references are looked up by ``id``
        among the ``.yaml``/``.yml`` files of the same folder.

    Raises
    ------
    StandardError
        With every problem in the file (and in the standards it refers to), each
        located by file and line.

    Examples
    --------
    >>> import tierwise, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "vip.yaml").write_text('''
    ... tierwise: 1
    ... id: vip
    ... name: VIP
    ... version: "1"
    ... grades: [VIP, C]
    ... indicators: {sales: {from: transactions, agg: sum(amount)}}
    ... grade: {ladder: {on: sales, steps: [{grade: VIP, at_least: 100万}, {grade: C}]}}
    ... ''', encoding="utf-8")
    >>> tierwise.load_standard(folder / "vip.yaml").grades
    ['VIP', 'C']
    """
    path = Path(path)
    if not path.is_file():
        raise StandardError([Problem(str(path), None, "The standard file does not exist; check the path.")])
    return _load(_read_text(path), str(path), path.parent, ())


def loads_standard(text: str, file: str = "<text>", folder: str | Path | None = None) -> Standard:
    """Load a standard from YAML text; ``standard:`` references are looked up in ``folder`` (default: none)."""
    return _load(text, file, Path(folder) if folder is not None else None, ())


def check_files(paths: list[str | Path]) -> list[Problem]:
    """Every problem in the given standard files, in file and line order."""
    problems: list[Problem] = []
    for path in paths:
        try:
            load_standard(path)
        except StandardError as exc:
            problems.extend(exc.problems)
    return problems
