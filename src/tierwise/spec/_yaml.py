"""YAML reading that remembers the line of every key and value."""

from __future__ import annotations

import re
from typing import Any

import yaml

from ._problems import Problem

__all__ = ["Located", "read_yaml"]

Path = tuple[Any, ...]


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's yes/no/on/off booleans (``on:`` is a key here)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class SourceFloat(float):
    """A float that remembers how it was written (``2026.10`` reads as 2026.1)."""

    text: str

    def __new__(cls, value: float, text: str) -> SourceFloat:
        number = super().__new__(cls, value)
        number.text = text
        return number


class Located:
    """Plain data read from YAML plus the 1-based line of every path in it."""

    def __init__(self, data: Any, lines: dict[Path, int], file: str) -> None:
        self.data = data
        self.lines = lines
        self.file = file

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)

    def problem(self, path: Path, message: str) -> Problem:
        return Problem(self.file, self.line(path), message)


def _unbalanced(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.style is None and node.value.count("(") > node.value.count(")")


def _rejoin_calls(node: yaml.MappingNode) -> list[tuple[yaml.Node, yaml.Node]]:
    """Undo YAML's split of ``{agg: days_between(max(date), as_of)}`` at the comma.

    In a flow mapping a comma ends a plain value, so a function call with several
    arguments written without quotes comes back as a value with unclosed parentheses
    followed by keys without values. Such pieces are joined back until balanced.
    """
    pairs = list(node.value)
    if not node.flow_style:
        return pairs
    out: list[tuple[yaml.Node, yaml.Node]] = []
    index = 0
    while index < len(pairs):
        key, value = pairs[index]
        index += 1
        while _unbalanced(value) and index < len(pairs):
            piece, empty = pairs[index]
            if not (isinstance(piece, yaml.ScalarNode) and isinstance(empty, yaml.ScalarNode) and empty.value == ""):
                break
            value = yaml.ScalarNode(value.tag, f"{value.value}, {piece.value}", value.start_mark, piece.end_mark)
            index += 1
        out.append((key, value))
    return out


def read_yaml(text: str, file: str) -> tuple[Located | None, list[Problem]]:
    """Parse ``text``; return located data, or the syntax problems found."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(file, line, f"The file is not valid YAML: {what}.")]
    if node is None:
        return None, [
            Problem(file, 1, "The file is empty; a standard needs at least 'tierwise', 'id', 'grades' and 'grade'.")
        ]
    lines: dict[Path, int] = {}
    problems: list[Problem] = []
    constructor = _Loader(text)

    def build(n: yaml.Node, path: Path) -> Any:
        lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in _rejoin_calls(n):
                key = build(key_node, (*path, "<key>"))
                key = key if isinstance(key, (str, int, float)) else str(key)
                if key in out:
                    problems.append(
                        Problem(
                            file,
                            key_node.start_mark.line + 1,
                            f"The key '{key}' appears twice in the same block; keep one.",
                        )
                    )
                lines[(*path, key)] = key_node.start_mark.line + 1
                out[key] = build(value_node, (*path, key))
            lines.pop((*path, "<key>"), None)
            return out
        if isinstance(n, yaml.SequenceNode):
            return [build(item, (*path, i)) for i, item in enumerate(n.value)]
        value = constructor.construct_object(n, deep=True)
        if isinstance(value, float) and isinstance(n, yaml.ScalarNode):
            return SourceFloat(value, n.value)
        return value

    data = build(node, ())
    return Located(data, lines, file), problems
