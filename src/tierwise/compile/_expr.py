"""Expressions of the standard language (spec AST) turned into Ibis expressions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import ibis
import ibis.expr.types as ir

from tierwise.spec import did_you_mean
from tierwise.spec._expr import AGGREGATES, Binary, Call, Const, InList, IsNull, Name, Node, Unary

from ._format import round_exact

__all__ = ["CompileError", "ExprCompiler"]


class CompileError(ValueError):
    """A problem found while compiling; the caller adds the file and line."""


_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _is_temporal(value: ir.Value) -> bool:
    return bool(value.type().is_date() or value.type().is_timestamp())


class ExprCompiler:
    """Compile AST nodes against a namespace of columns.

    ``columns`` maps visible names to Ibis values; ``aggregate`` (when given) turns an
    aggregate call into an Ibis value (used for an indicator's ``agg``).
    """

    def __init__(
        self,
        columns: Mapping[str, ir.Value],
        as_of: dt.date,
        *,
        aggregate: Callable[[Call], ir.Value] | None = None,
        what: str = "names",
    ) -> None:
        self.columns = columns
        self.as_of = as_of
        self.aggregate = aggregate
        self.what = what

    def __call__(self, node: Node) -> ir.Value:
        return self.visit(node)

    def visit(self, node: Node) -> ir.Value:
        if isinstance(node, Const):
            return ibis.literal(node.value) if node.value is not None else ibis.null()
        if isinstance(node, Name):
            return self.name(node)
        if isinstance(node, Unary):
            operand = self.visit(node.operand)
            return ~self.boolean(operand) if node.op == "not" else -operand  # type: ignore[operator]
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, InList):
            operand = self.visit(node.operand)
            items = [self.literal_like(self.visit(item), operand, item) for item in node.items]
            result = operand.isin(items)
            return ~result if node.negated else result
        if isinstance(node, IsNull):
            operand = self.visit(node.operand)
            return operand.notnull() if node.negated else operand.isnull()
        return self.call(node)

    def name(self, node: Name) -> ir.Value:
        if node.name in self.columns:
            return self.columns[node.name]
        if node.name == "as_of":
            return ibis.literal(self.as_of)
        visible = [c for c in self.columns if not c.startswith("_tw")]
        raise CompileError(
            f"Unknown name '{node.name}' at column {node.column}: it is not among the {self.what}."
            f"{did_you_mean(node.name, [*visible, 'as_of'])}"
        )

    def boolean(self, value: ir.Value) -> ir.BooleanValue:
        if not value.type().is_boolean():
            raise CompileError(f"Expected a condition (true/false) but got a {value.type()} value")
        return value  # type: ignore[return-value]

    def literal_like(self, value: ir.Value, other: ir.Value, node: Node) -> ir.Value:
        """A string literal compared with a date column reads as a date."""
        if isinstance(node, Const) and isinstance(node.value, str) and _is_temporal(other):
            try:
                return ibis.literal(dt.date.fromisoformat(node.value))
            except ValueError as exc:
                raise CompileError(f"'{node.value}' is compared with a date but is not a date (YYYY-MM-DD)") from exc
        return value

    def binary(self, node: Binary) -> ir.Value:
        left, right = self.visit(node.left), self.visit(node.right)
        if node.op in ("and", "or"):
            lhs, rhs = self.boolean(left), self.boolean(right)
            return (lhs & rhs) if node.op == "and" else (lhs | rhs)
        if node.op in _COMPARE:
            left = self.literal_like(left, right, node.left)
            right = self.literal_like(right, left, node.right)
            return _COMPARE[node.op](left, right)
        if _is_temporal(left) and _is_temporal(right) and node.op == "-":
            return self.days(right, left)
        if node.op == "/":
            return left.cast("float64") / right.cast("float64").nullif(0)  # type: ignore[attr-defined]
        ops: dict[str, Callable[[Any, Any], Any]] = {
            "+": lambda a, b: a + b,
            "-": lambda a, b: a - b,
            "*": lambda a, b: a * b,
        }
        return ops[node.op](left, right)

    @staticmethod
    def days(start: ir.Value, end: ir.Value) -> ir.Value:
        """Whole days from ``start`` to ``end``."""
        return end.cast("date").delta(start.cast("date"), unit="day")  # type: ignore[attr-defined]

    def call(self, node: Call) -> ir.Value:
        if node.func in AGGREGATES:
            if self.aggregate is None:
                raise CompileError(f"The aggregate '{node.func}' is only allowed in an indicator's 'agg'")
            return self.aggregate(node)
        args = [self.visit(a) for a in node.args]
        if node.func == "coalesce":
            return ibis.coalesce(*args)
        if node.func == "abs":
            return args[0].abs()  # type: ignore[attr-defined]
        if node.func == "round":
            digits = node.args[1].value if len(node.args) > 1 and isinstance(node.args[1], Const) else 0
            return round_exact(args[0], int(digits or 0))  # type: ignore[arg-type]
        if node.func == "least":
            return ibis.least(*args)
        if node.func == "greatest":
            return ibis.greatest(*args)
        if node.func == "days_between":
            return self.days(args[0], args[1])
        if node.func == "left":
            count = node.args[1].value if isinstance(node.args[1], Const) else None
            if isinstance(count, bool) or not isinstance(count, (int, float)) or count < 1 or count != int(count):
                raise CompileError(
                    "The second argument of left() must be a whole number of characters, like left(industry_code, 2)"
                )
            return args[0].cast("string").substr(0, int(count))  # type: ignore[attr-defined]
        raise CompileError(f"Unknown function '{node.func}'")  # pragma: no cover - parser rejects it
