"""What a grader visitor works with: the working table, the language, problems found."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from tierwise.spec import Problem, Standard, did_you_mean, parse_expression

from ._expr import CompileError, ExprCompiler

__all__ = ["TEXT", "Context", "Out", "slug"]

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "no_value": "无数据",
        "holds": "满足「{when}」",
        "otherwise": "不满足以上任何条件",
        "unlisted": "不在映射中",
        "before": "排在其前的客户累计占比",
        "above_it": "高于它的客户占比",
        "top": "前",
        "score": "综合得分",
        "cell": "命中第 {n} 格",
        "no_cell": "未命中任何组合",
        "high": "高",
        "low": "低",
        "pts": "分",
        "sep": "，",
        "open": "（",
        "close": "）",
        "and": "；",
        "nonpositive": "不大于 0",
    },
    "en": {
        "no_value": "has no value",
        "holds": "'{when}' holds",
        "otherwise": "no rule above applies",
        "unlisted": "is not listed",
        "before": "share of those ranked before it",
        "above_it": "share of customers above it",
        "top": "top ",
        "score": "score",
        "cell": "matches cell {n}",
        "no_cell": "matches no cell",
        "high": "high",
        "low": "low",
        "pts": " pts",
        "sep": ", ",
        "open": " (",
        "close": ")",
        "and": "; ",
        "nonpositive": "is not above 0",
    },
}


@cache
def slug(path: tuple[str | int, ...]) -> str:
    """A column name for an auxiliary value of the grader at ``path``."""
    text = "_".join(str(p) for p in path)
    readable = re.sub(r"\W+", "_", text, flags=re.ASCII).strip("_")
    if readable == text:
        return "_tw_" + readable
    # names in other scripts (贡献度) or with symbols: the readable part alone could collide
    return f"_tw_{readable}_{hashlib.sha1(text.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"


@dataclass
class Out:
    """A compiled grader: its label, the reason sentence, the next grade up and the gap."""

    label: ir.StringValue
    reason: ir.StringValue
    next_label: ir.Value
    gap: ir.Value


@dataclass
class Context:
    """State shared by the visitors while one standard compiles."""

    standard: Standard
    as_of: dt.date
    lang: str
    table: ir.Table
    problems: list[Problem] = field(default_factory=list)
    pending: dict[str, ir.Value] = field(default_factory=dict)
    aux: dict[str, ir.Value] = field(default_factory=dict)
    checks: dict[str, tuple[str, ir.Value]] = field(default_factory=dict)  # column -> (what, unknown value or null)
    waiting: bool = False  # a window waits for another one to be materialised first
    dialect: str = "duckdb"  # the SQL dialect the expression is for
    dimensions: dict[str, ir.Value] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)  # standard id -> column
    clusters: Mapping[str, Any] = field(default_factory=dict)  # cluster_key -> SegmentPlan (fitted by the engine)

    def text(self, key: str, **kwargs: object) -> str:
        return TEXT[self.lang][key].format(**kwargs)

    def problem(self, path: tuple[str | int, ...], message: str) -> None:
        self.problems.append(Problem(self.standard.source, self.standard.line_of(*path), message))

    @property
    def visible(self) -> dict[str, ir.Value]:
        return {c: self.table[c] for c in self.table.columns}

    def column(self, name: str, path: tuple[str | int, ...], what: str) -> ir.Value:
        """The indicator or customer column ``name``; a located problem if there is none."""
        if name in self.table.columns and not name.startswith("_tw"):
            if name not in self.standard.indicators:  # a customer column: kept for explain
                self.aux[f"_tw_col_{name}"] = self.table[name]
            return self.table[name]
        if name not in self.standard.indicators:  # an indicator that failed was reported already
            visible = [c for c in self.table.columns if not c.startswith("_tw")]
            self.problem(
                path, f"The {what} '{name}' is neither an indicator nor a customer column.{did_you_mean(name, visible)}"
            )
        return ibis.null("float64")

    def expr(self, text: str, path: tuple[str | int, ...], what: str) -> ir.Value:
        """Compile one of the standard's expressions over the working table."""
        try:
            return ExprCompiler(self.visible, self.as_of, what="indicators and customer columns")(
                parse_expression(text)
            )
        except (CompileError, Exception) as exc:  # noqa: BLE001 - ibis type errors too
            self.problem(path, f"The {what} '{text}' cannot be computed: {exc}")
            return ibis.null("boolean")

    def cached(self, name: str, build: Callable[[], ir.Value]) -> ir.Value:
        """Like :meth:`window`, but ``build`` runs only until the column exists."""
        if name in self.table.columns:
            return self.table[name]
        return self.window(name, build())

    def window(self, name: str, value: ir.Value) -> ir.Value:
        """``value`` as a column of its own, materialised before the expressions using it.

        Used for window values (ranks, running sums, means over all customers) and for
        anything shown several times in a reason, so the SQL computes it once.
        """
        if name in self.table.columns:
            return self.table[name]
        if not _waits(value):
            self.pending[name] = value
        else:
            self.waiting = True
        return _placeholder(value, name)


_MARK = "\x00tw:"


def _placeholder(value: ir.Value, name: str) -> ir.Value:
    """A stand-in of the same type for a value not materialised yet.

    Each stand-in carries a unique marked literal, so that a window built on top of
    one is recognised (``_waits``) and materialised only in a later pass. (A typed null
    would not do: Ibis folds comparisons with a null literal into IS NULL.)
    """
    marker = ibis.literal(_MARK + name)
    kind = value.type()
    if kind.is_boolean():
        return marker == "never"
    if kind.is_numeric():
        return marker.length().cast(kind)
    if kind.is_string():
        return marker
    return ibis.ifelse(marker == "never", ibis.null(kind), ibis.null(kind))


def _waits(value: ir.Value) -> bool:
    """Whether ``value`` is built on a placeholder of this pass."""
    return any(isinstance(n.value, str) and n.value.startswith(_MARK) for n in value.op().find(ops.Literal))
