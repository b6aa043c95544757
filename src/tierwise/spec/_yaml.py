"""YAML reading that remembers the line of every key and value, and refuses hostile files.

A standard is a small file a person writes. Files that only an attacker or a broken
tool writes end in one located problem, quickly: control characters and invalid Unicode
(with line and column), nesting deeper than :data:`MAX_DEPTH`, and anchors/aliases that
expand to more than :data:`MAX_VALUES` values (the "billion laughs").
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from tierwise._messages import message

from ._literals import MAX_NUMBER, shown_text
from ._problems import Problem

__all__ = ["MAX_CHARS", "MAX_DEPTH", "MAX_VALUES", "Located", "nearest_line", "read_yaml"]

Path = tuple[Any, ...]

MAX_DEPTH = 64  # the deepest standard nests graders a dozen levels; 64 is far beyond any real file
MAX_VALUES = 100_000  # values after expanding aliases; a large standard has a few thousand
MAX_CHARS = 1_000_000  # a file's length; the largest built-in standard has 7,176 (read at ~1 s per million)
# C0 controls other than tab/LF/CR, DEL, C1 controls, surrogates and the non-characters U+FFFE/U+FFFF
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_CHAR_NAMES = {0: "NUL", 7: "BEL", 8: "BS", 0x1B: "ESC", 0x7F: "DEL", 0xFFFE: "non-character", 0xFFFF: "non-character"}


class _Refused(Exception):
    """A hostile construct found while composing, with its position."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.line = mark.line + 1 if mark is not None else None
        self.message = message


class _Loader(yaml.SafeLoader):
    """SafeLoader without YAML 1.1's yes/no/on/off booleans (``on:`` is a key here), with bounded nesting."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise _Refused(
                    event.start_mark,
                    f"The file nests lists and mappings more than {MAX_DEPTH} levels deep; "
                    f"a standard never needs that. Flatten it.",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


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


def nearest_line(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one (None when none has)."""
    key = tuple(path)
    while key:
        if key in lines:
            return lines[key]
        key = key[:-1]
    return None


class Located:
    """Plain data read from YAML plus the 1-based line of every path in it."""

    def __init__(self, data: Any, lines: dict[Path, int], file: str) -> None:
        self.data = data
        self.lines = lines
        self.file = file

    def line(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        found = nearest_line(self.lines, path)
        return found if found is not None else self.lines.get((), 1)

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


def _char_name(char: str) -> str:
    code = ord(char)
    kind = "a lone surrogate" if 0xD800 <= code <= 0xDFFF else _CHAR_NAMES.get(code, "a control character")
    return f"U+{code:04X} ({kind})"


_MERGE = "tag:yaml.org,2002:merge"
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def _range_message(written: str, line: int) -> str:
    return message("spec.number_range", "en", value=shown_text(written), line=line, limit=f"{MAX_NUMBER:,}")


def _out_of_range(value: Any) -> bool:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    return value != value or not -MAX_NUMBER <= value <= MAX_NUMBER


def _merge_message(node: yaml.Node) -> str:
    return message("spec.merge_key", "en", line=node.start_mark.line + 1)


def bad_characters(text: str, file: str, first_line: int = 1) -> list[Problem]:
    """One problem per line with a character no standard may hold (control, surrogate, non-character)."""
    problems = []
    for number, line in enumerate(text.split("\n"), start=first_line):
        match = _BAD_CHARS.search(line)
        if match is not None:
            problems.append(
                Problem(
                    file,
                    number,
                    f"Line {number}, column {match.start() + 1} holds the character {_char_name(match.group())}, "
                    f"which a standard may not contain; delete it (it often comes from a copy out of another "
                    f"program) and save the file as UTF-8 text.",
                )
            )
    return problems


def read_yaml(text: str, file: str) -> tuple[Located | None, list[Problem]]:
    """Parse ``text``; return located data, or the syntax problems found."""
    if len(text) > MAX_CHARS:  # refused before reading: a file of megabytes would take minutes to parse
        size, limit = f"{len(text):,}", f"{MAX_CHARS:,}"
        return None, [Problem(file, 1, message("spec.too_large", "en", size=size, limit=limit))]
    if refused := bad_characters(text, file):
        return None, refused
    try:
        node = yaml.compose(text, Loader=_Loader)
    except _Refused as exc:
        return None, [Problem(file, exc.line, exc.message)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        return None, [Problem(file, line, f"The file is not valid YAML: {what}.")]
    except yaml.reader.ReaderError as exc:  # a character the reader refuses that the check above let through
        line = text.count("\n", 0, exc.position) + 1
        return None, [Problem(file, line, f"Line {line} holds a character YAML does not allow; delete it.")]
    if node is None:
        return None, [
            Problem(file, 1, "The file is empty; a standard needs at least 'tierwise', 'id', 'grades' and 'grade'.")
        ]
    lines: dict[Path, int] = {}
    problems: list[Problem] = []
    constructor = _Loader(text)
    count = 0

    def build(n: yaml.Node, path: Path) -> Any:
        nonlocal count
        count += 1
        if count > MAX_VALUES:
            raise _Refused(
                n.start_mark,
                f"The file expands to more than {MAX_VALUES:,} values through its anchors and aliases "
                f"(&name and *name), as a 'billion laughs' attack does; a standard never needs that many. "
                f"Write the repeated parts out or remove the aliases.",
            )
        lines.setdefault(path, n.start_mark.line + 1)
        if isinstance(n, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in _rejoin_calls(n):
                if key_node.tag == _MERGE:
                    problems.append(Problem(file, key_node.start_mark.line + 1, _merge_message(key_node)))
                    continue
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
        line = n.start_mark.line + 1
        if n.tag in _NUMBERS and len(n.value) > 40:  # too long to be in range; int() of 5,000 digits even raises
            problems.append(Problem(file, line, _range_message(n.value, line)))
            return 0
        try:
            value = constructor.construct_object(n, deep=True)
        except yaml.constructor.ConstructorError:  # a tag no constructor knows (!foo, !!python/…)
            problems.append(Problem(file, line, message("spec.yaml_tag", "en", tag=shown_text(n.tag), line=line)))
            return n.value
        except ValueError as exc:  # a timestamp like 2024-13-45 that its pattern admits but the calendar does not
            problems.append(
                Problem(
                    file, line, f"The value '{shown_text(n.value)}' on line {line} cannot be read: {exc}; correct it."
                )
            )
            return n.value
        if _out_of_range(value):
            if path and path[-1] == "<key>":  # a long number as a key (an id, a code) stays the text it is
                return n.value
            problems.append(Problem(file, line, _range_message(n.value, line)))
            return 0
        if isinstance(value, float) and isinstance(n, yaml.ScalarNode):
            return SourceFloat(value, n.value)
        if isinstance(value, str) and (found := _BAD_CHARS.search(value)) is not None:
            # an escape in a double-quoted string ("\\ud800", "\\x00") that the raw text did not show
            problems.append(
                Problem(
                    file,
                    n.start_mark.line + 1,
                    f"The text {value[:30].encode('utf-8', 'backslashreplace').decode()!r} holds the character "
                    f"{_char_name(found.group())}, which a standard may not contain; remove the escape.",
                )
            )
            return value.encode("utf-8", "replace").decode("utf-8")
        return value

    try:
        data = build(node, ())
    except _Refused as exc:
        return None, [Problem(file, exc.line, exc.message)]
    return Located(data, lines, file), problems
