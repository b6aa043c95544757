"""Table schemas a standard assumes, for compiling its SQL without any data at hand.

Columns are inferred from how the standard uses them: dates where a window reads them,
text where they are mapped or compared with text, true/false where they stand as a
condition, numbers otherwise. With real data, the data's own schema is used instead.
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir

from tierwise.spec import Standard, parse_expression
from tierwise.spec._expr import Binary, Call, Const, InList, IsNull, Name, Node, Unary

from ._indicators import DATE_COLUMNS, MODELS_TABLE

__all__ = ["assumed_tables"]

_TEXT = {
    "name",
    "type",
    "industry",
    "region",
    "status",
    "product",
    "channel",
    "order_id",
    "stage",
    "criterion",
    "rating",
    "assessor",
    "admin_level",
    "need_match_level",
}
_DATES = {"date", "due_date", "paid_date", "created_at", "assessed_at", "expected_close"}


class _Columns:
    def __init__(self) -> None:
        self.tables: dict[str, dict[str, str]] = {"customers": {"customer_id": "string"}}

    def add(self, table: str, column: str, kind: str) -> None:
        columns = self.tables.setdefault(table, {"customer_id": "string"})
        if column in _DATES:
            kind = "date"
        elif column in _TEXT and kind == "float64":
            kind = "string"
        if columns.get(column) in (None, "float64"):
            columns[column] = kind

    def walk(self, node: Node, table: str, skip: set[str], kind: str = "float64") -> None:
        if isinstance(node, Name):
            if node.name not in skip and node.name != "as_of":
                self.add(table, node.name, kind)
        elif isinstance(node, Unary):
            self.walk(node.operand, table, skip, "boolean" if node.op == "not" else "float64")
        elif isinstance(node, Binary):
            if node.op in ("and", "or"):
                self.walk(node.left, table, skip, "boolean")
                self.walk(node.right, table, skip, "boolean")
            else:
                text = any(isinstance(n, Const) and isinstance(n.value, str) for n in (node.left, node.right))
                self.walk(node.left, table, skip, "string" if text else "float64")
                self.walk(node.right, table, skip, "string" if text else "float64")
        elif isinstance(node, InList):
            text = any(isinstance(n, Const) and isinstance(n.value, str) for n in node.items)
            self.walk(node.operand, table, skip, "string" if text else "float64")
        elif isinstance(node, IsNull):
            self.walk(node.operand, table, skip)
        elif isinstance(node, Call):
            passes = node.func in ("min", "max", "latest", "coalesce", "least", "greatest")
            for index, arg in enumerate(node.args):
                if node.func == "left":
                    self.walk(arg, table, skip, "string" if index == 0 else "float64")
                    continue
                self.walk(arg, table, skip, kind if passes else "date" if node.func == "days_between" else "float64")

    def condition(self, text: str, skip: set[str]) -> None:
        self.walk(parse_expression(text), "customers", skip, "boolean")


def _conditions(standard: Standard) -> set[str]:
    """Indicators that stand alone as a condition (so what they aggregate is true/false)."""
    texts = [standard.population or ""]
    for _, grader in standard.grade.walk():
        if grader.kind == "rules":
            texts += [rule.when for rule in grader.body if rule.when]
    flags: set[str] = set()

    def walk(node: Node) -> None:
        if isinstance(node, Name):
            flags.add(node.name)
        elif isinstance(node, Unary) and node.op == "not":
            walk(node.operand)
        elif isinstance(node, Binary) and node.op in ("and", "or"):
            walk(node.left)
            walk(node.right)

    for text in texts:
        if text:
            walk(parse_expression(text))
    return flags


def _collect(standard: Standard, columns: _Columns) -> None:
    skip = set(standard.indicators)
    flags = _conditions(standard)
    for name, ind in standard.indicators.items():
        if ind.attribute is not None:  # an attribute used as a condition is a yes/no column
            columns.add("customers", ind.attribute, "boolean" if name in flags else "float64")
        if ind.model is not None:  # the engine fits the model and hands its predictions over in one table
            columns.add(MODELS_TABLE, ind.model_column, "float64")
            columns.add(ind.model_table, ind.date or "date", "date")
            columns.add(ind.model_table, ind.amount or "amount", "float64")
        elif ind.from_ is not None:
            table = ind.from_
            date = ind.date or DATE_COLUMNS.get(table, "date")
            columns.add(table, date, "date")
            for text in (ind.agg, ind.where):
                if text:
                    node = parse_expression(text, allow_aggregates=True)
                    kind = "string" if "latest(" in text else "float64"
                    if text is ind.agg and any(name in flags for name, i in standard.indicators.items() if i is ind):
                        kind = "boolean"
                    columns.walk(node, table, set(), kind)
        if ind.expr is not None:
            columns.walk(parse_expression(ind.expr), "customers", skip)
    if standard.population:
        columns.condition(standard.population, skip)
    for _, grader in standard.grade.walk():
        body: Any = grader.body
        if grader.kind == "rules":
            for rule in body:
                if rule.when:
                    columns.condition(rule.when, skip)
        elif grader.kind == "map" and body.on not in skip:
            numeric = all(isinstance(k, (int, float)) for k in body.values)
            columns.add("customers", body.on, "float64" if numeric else "string")
        elif grader.kind == "scorecard":
            for criterion in body.criteria:
                if criterion.on not in skip:
                    columns.add("customers", criterion.on, "string" if criterion.points else "float64")
        elif grader.kind == "rfm":
            for name in (body.recency, body.frequency, body.monetary):
                if name not in skip:
                    columns.add("customers", name, "float64")
        elif grader.kind == "cluster":
            for name in body.on:
                if name not in skip:
                    columns.add("customers", name, "float64")
        elif hasattr(body, "on") and body.on not in skip:
            columns.add("customers", body.on, "float64")
    for other in standard.references.values():
        _collect(other, columns)


def assumed_tables(standard: Standard) -> dict[str, ir.Table]:
    """Unbound Ibis tables with the columns ``standard`` reads (for ``tierwise sql``)."""
    columns = _Columns()
    _collect(standard, columns)
    return {name: ibis.table(schema, name=name) for name, schema in columns.tables.items()}
