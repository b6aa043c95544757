"""The expression language (LANGUAGE.md §5), parsed into a small whitelisted AST.

Nothing is ever executed as Python: the text is tokenised and parsed by hand into the
node classes below, and the compiler turns those nodes into Ibis expressions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tierwise._messages import message

from ._literals import LiteralError, parse_number
from ._problems import did_you_mean

__all__ = [
    "AGGREGATES",
    "MAX_EXPR_DEPTH",
    "SCALAR_FUNCTIONS",
    "Binary",
    "Call",
    "Const",
    "ExprError",
    "InList",
    "IsNull",
    "Name",
    "Node",
    "Unary",
    "aggregate_calls",
    "names",
    "parse_expression",
]

AGGREGATES = ("sum", "count", "count_distinct", "mean", "median", "min", "max", "latest")
SCALAR_FUNCTIONS = ("coalesce", "abs", "round", "least", "greatest", "days_between", "left")
_ARITY: dict[str, tuple[int, int | None]] = {
    "sum": (1, 1),
    "count": (0, 1),
    "count_distinct": (1, 1),
    "mean": (1, 1),
    "median": (1, 1),
    "min": (1, 1),
    "max": (1, 1),
    "latest": (1, 1),
    "coalesce": (2, None),
    "abs": (1, 1),
    "round": (1, 2),
    "least": (2, None),
    "greatest": (2, None),
    "days_between": (2, 2),
    "left": (2, 2),
}
_KEYWORDS = {"and", "or", "not", "in", "is", "null", "true", "false"}
# Parentheses, 'not', '-', calls and chained operators each add a level; a real rule has a handful.
# The bound keeps the parser, the walks over the tree and the compiler far from Python's recursion limit.
MAX_EXPR_DEPTH = 50


class ExprError(ValueError):
    """An expression that does not parse; ``column`` is 1-based."""

    def __init__(self, message: str, column: int) -> None:
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Const:
    value: float | str | bool | None
    text: str


@dataclass(frozen=True)
class Name:
    name: str
    column: int


@dataclass(frozen=True)
class Unary:
    op: str  # '-' | 'not'
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str  # + - * / == != < <= > >= and or
    left: Node
    right: Node


@dataclass(frozen=True)
class InList:
    operand: Node
    items: tuple[Node, ...]
    negated: bool


@dataclass(frozen=True)
class IsNull:
    operand: Node
    negated: bool


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]
    column: int


Node = Const | Name | Unary | Binary | InList | IsNull | Call

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<number>(?:\d[\d_]*(?:\.\d+)?|\.\d+)(?:\s*(?:万|亿|%|[kKMB](?![\w])))?)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>[^\W\d]\w*)
  | (?P<op><=|>=|==|!=|<>|[-+*/()<>,\[\]=])
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    column: int


def _tokens(text: str) -> Iterator[_Tok]:
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ExprError(f"Unexpected character '{text[pos]}' at column {pos + 1}", pos + 1)
        kind = match.lastgroup or ""
        if kind != "ws":
            word = match.group()
            if kind == "name" and word.lower() in _KEYWORDS:
                kind = word.lower()
            yield _Tok(kind, word, pos + 1)
        pos = match.end()
    yield _Tok("end", "", len(text) + 1)


class _Parser:
    def __init__(self, text: str, allow_aggregates: bool) -> None:
        self.text = text
        self.toks = list(_tokens(text))
        self.i = 0
        self.allow_aggregates = allow_aggregates
        self.nesting = 0

    def nest(self, tok: _Tok) -> None:
        """Count one more level of nesting at ``tok``; refuse more than :data:`MAX_EXPR_DEPTH`."""
        self.nesting += 1
        if self.nesting > MAX_EXPR_DEPTH:
            raise ExprError(message("spec.expr_too_deep", "en", column=tok.column, limit=MAX_EXPR_DEPTH), tok.column)

    @property
    def tok(self) -> _Tok:
        return self.toks[self.i]

    def take(self, *kinds: str) -> _Tok | None:
        if self.tok.kind in kinds or (self.tok.kind == "op" and self.tok.text in kinds):
            tok = self.tok
            self.i += 1
            return tok
        return None

    def expect(self, what: str) -> _Tok:
        tok = self.take(what)
        if tok is None:
            found = f"'{self.tok.text}'" if self.tok.text else "the end"
            raise ExprError(f"Expected '{what}' at column {self.tok.column} but found {found}", self.tok.column)
        return tok

    def parse(self) -> Node:
        node = self.or_()
        if self.tok.kind != "end":
            raise ExprError(f"Unexpected '{self.tok.text}' at column {self.tok.column}", self.tok.column)
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.take("or"):
            node = Binary("or", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.not_()
        while self.take("and"):
            node = Binary("and", node, self.not_())
        return node

    def not_(self) -> Node:
        if (tok := self.take("not")) is not None:
            self.nest(tok)
            node = Unary("not", self.not_())
            self.nesting -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        node = self.additive()
        tok = self.tok
        if tok.kind == "op" and tok.text in ("==", "!=", "<>", "<", "<=", ">", ">=", "="):
            if tok.text == "=":
                raise ExprError(f"Use '==' to compare, not '=' (column {tok.column})", tok.column)
            self.i += 1
            op = "!=" if tok.text == "<>" else tok.text
            return Binary(op, node, self.additive())
        if tok.kind == "is":
            self.i += 1
            negated = self.take("not") is not None
            self.expect("null")
            return IsNull(node, negated)
        if tok.kind == "not" and self.toks[self.i + 1].kind == "in":
            self.i += 2
            return InList(node, self.list_(), True)
        if self.take("in"):
            return InList(node, self.list_(), False)
        return node

    def list_(self) -> tuple[Node, ...]:
        self.expect("[")
        items = [self.additive()]
        while self.take(","):
            items.append(self.additive())
        self.expect("]")
        return tuple(items)

    def additive(self) -> Node:
        node = self.term()
        while (tok := self.take("+", "-")) is not None:
            node = Binary(tok.text, node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while (tok := self.take("*", "/")) is not None:
            node = Binary(tok.text, node, self.unary())
        return node

    def unary(self) -> Node:
        if (tok := self.take("-", "+")) is not None:
            self.nest(tok)
            operand = self.unary()
            self.nesting -= 1
            if tok.text == "+":
                return operand
            if isinstance(operand, Const) and isinstance(operand.value, float):
                return Const(-operand.value, "-" + operand.text)
            return Unary("-", operand)
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        self.i += 1
        if tok.kind == "number":
            try:
                return Const(parse_number(tok.text.replace(" ", "")), tok.text)
            except LiteralError as exc:
                raise ExprError(f"{exc} (column {tok.column})", tok.column) from exc
        if tok.kind == "string":
            body = tok.text[1:-1]
            return Const(re.sub(r"\\(.)", r"\1", body), tok.text)
        if tok.kind in ("true", "false"):
            return Const(tok.kind == "true", tok.text)
        if tok.kind == "null":
            return Const(None, tok.text)
        if tok.kind == "op" and tok.text == "(":
            self.nest(tok)
            node = self.or_()
            self.expect(")")
            self.nesting -= 1
            return node
        if tok.kind == "name":
            if self.tok.kind == "op" and self.tok.text == "(":
                return self.call(tok)
            return Name(tok.text, tok.column)
        found = f"'{tok.text}'" if tok.text else "end of the expression"
        self.i -= 1
        raise ExprError(f"Unexpected {found} at column {tok.column}", tok.column)

    def call(self, name: _Tok) -> Node:
        func = name.text.lower()
        known = SCALAR_FUNCTIONS + (AGGREGATES if self.allow_aggregates else ())
        if func not in known:
            if func in AGGREGATES:
                raise ExprError(
                    f"The aggregate '{func}' (column {name.column}) is only allowed in an indicator's 'agg'",
                    name.column,
                )
            raise ExprError(
                f"Unknown function '{name.text}' at column {name.column}.{did_you_mean(func, known)}",
                name.column,
            )
        self.nest(self.expect("("))
        args: list[Node] = []
        if not self.take(")"):
            args.append(self.or_())
            while self.take(","):
                args.append(self.or_())
            self.expect(")")
        self.nesting -= 1
        low, high = _ARITY[func]
        if len(args) < low or (high is not None and len(args) > high):
            want = str(low) if low == high else f"{low} or more" if high is None else f"{low} to {high}"
            raise ExprError(
                f"The function '{func}' (column {name.column}) takes {want} argument(s), got {len(args)}",
                name.column,
            )
        if func in AGGREGATES:
            for arg in args:
                if aggregate_calls(arg):
                    raise ExprError(f"Aggregates cannot be nested inside '{func}' (column {name.column})", name.column)
        return Call(func, tuple(args), name.column)


def parse_expression(text: str, *, allow_aggregates: bool = False) -> Node:
    """Parse ``text`` into an AST; raise :class:`ExprError` naming the bad token's column.

    Examples
    --------
    >>> parse_expression("amount >= 100万")
    Binary(op='>=', left=Name(name='amount', column=1), right=Const(value=1000000.0, text='100万'))
    """
    if not isinstance(text, str) or not text.strip():
        raise ExprError("The expression is empty", 1)
    node = _Parser(text, allow_aggregates).parse()
    if depth(node) > MAX_EXPR_DEPTH:  # a long chain like a + a + a …, nested without parentheses
        raise ExprError(message("spec.expr_too_long", "en", limit=MAX_EXPR_DEPTH), 1)
    return node


def depth(node: Node) -> int:
    """The number of levels of ``node``'s tree, counted without recursion (the tree may be deep)."""
    deepest, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in _children(current))
    return deepest


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, InList):
        return (node.operand, *node.items)
    if isinstance(node, IsNull):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    return ()


def names(node: Node, *, outside_aggregates: bool = False) -> list[Name]:
    """Every name the expression reads (optionally only those outside aggregates)."""
    if isinstance(node, Name):
        return [node]
    if outside_aggregates and isinstance(node, Call) and node.func in AGGREGATES:
        return []
    return [n for child in _children(node) for n in names(child, outside_aggregates=outside_aggregates)]


def aggregate_calls(node: Node) -> list[Call]:
    """Every aggregate call in the expression, outermost first."""
    if isinstance(node, Call) and node.func in AGGREGATES:
        return [node]
    return [c for child in _children(node) for c in aggregate_calls(child)]
