"""Graders that rank customers against each other: pareto, percentile and rfm.

Window values are materialised through ``Context.window`` (a first pass adds them as
columns), partitioned by the scope of customers that reach the grader, so a pareto
nested in a rule ranks only the customers of that rule.

Boundaries compare integers scaled by 10^6 (``cum * 10^6 < round(up_to * 10^6) * total``)
so that a customer exactly at 80% is never moved by floating-point noise.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from tierwise.spec._model import Pareto, Percentile, Rfm, segment_matches

from ._context import Context, Out, slug
from ._format import concat, number_sql, share_sql, share_text
from ._graders import NULL_NUMBER, NULL_TEXT, missing_label, shown_number
from ._indicators import EXACT

__all__ = ["visit_pareto", "visit_percentile", "visit_rfm"]

Path = tuple[str | int, ...]
SCALE = 1_000_000


def _partition(scope: ir.BooleanValue | None) -> list[Any]:
    return [scope] if scope is not None else []


def _numeric(ctx: Context, name: str, path: Path, kind: str) -> ir.NumericValue:
    value = ctx.column(name, path, "value 'on'")
    if not isinstance(value, ir.Column):  # reported already; a null column keeps compiling to find the rest
        return ibis.cases((ctx.table["customer_id"].isnull(), 0.0), else_=NULL_NUMBER).name(name)  # type: ignore[no-any-return]
    if not (value.type().is_numeric() or value.type().is_null()):
        ctx.problem(path, f"The {kind}'s value '{name}' must be a number. Got a {value.type()} column instead.")
        return NULL_NUMBER  # type: ignore[return-value]
    return value if value.type().is_floating() else value.cast("float64").name(name)  # type: ignore[return-value]


def _gap_to_better_class(
    ctx: Context,
    value: ir.NumericValue,
    cls: ir.IntegerValue,
    labels: Sequence[str],
    scope: ir.BooleanValue | None,
    path: Path,
) -> tuple[ir.Value, ir.Value]:
    """Next class up and how far the value is from that class's lowest member."""
    whole = ibis.window(group_by=_partition(scope))
    next_cases: list[tuple[Any, Any]] = []
    gap_cases: list[tuple[Any, Any]] = []
    for k in range(len(labels) - 1):
        lowest = ctx.window(f"{slug(path)}_min{k}", ibis.ifelse(cls == k, value, NULL_NUMBER).min().over(whole))
        next_cases.append((cls == k + 1, ibis.literal(labels[k])))
        gap_cases.append((cls == k + 1, ibis.greatest(lowest - value.fill_null(0), 0)))
    if not next_cases:
        return NULL_TEXT, NULL_NUMBER
    return ibis.cases(*next_cases, else_=NULL_TEXT), ibis.cases(*gap_cases, else_=NULL_NUMBER)


def visit_pareto(body: Pareto, ctx: Context, scope: ir.BooleanValue | None, path: Path, top: bool) -> Out:
    value = _numeric(ctx, body.on, (*path, "on"), "pareto")
    positive = ibis.greatest(value.fill_null(0), 0)
    customer = ctx.table["customer_id"]
    running = ibis.window(
        group_by=_partition(scope), order_by=[ibis.desc(positive), customer], preceding=None, following=0
    )
    before = ctx.window(f"{slug(path)}_before", positive.sum().over(running) - positive)
    total = ctx.window(f"{slug(path)}_total", positive.sum().over(ibis.window(group_by=_partition(scope))))
    labels = [c.grade for c in body.classes]
    last = labels[-1]
    share = before / total.nullif(0)
    share_shown = ctx.cached(f"{slug(path)}_share_text", lambda: share_sql(share, ctx.dialect))
    shown = shown_number(ctx, value)
    conditions = [(before * SCALE < round(c.up_to * SCALE) * total, c) for c in body.classes[:-1] if c.up_to]
    out_of_play = value.isnull() | (value <= 0)
    cls = ctx.window(
        f"{slug(path)}_class",
        ibis.cases(
            (out_of_play, len(labels) - 1),
            *[(cond, i) for i, (cond, _) in enumerate(conditions)],
            else_=len(labels) - 1,
        ),
    )
    last_bound = body.classes[-2].up_to if len(body.classes) > 1 else None
    reasons = [
        (value.isnull(), ibis.literal(f"{body.on} {ctx.text('no_value')} → {last}")),
        (value <= 0, concat(f"{body.on} = ", shown, f" {ctx.text('nonpositive')} → {last}")),
        *[
            (
                cls == i,
                concat(
                    f"{body.on} = ",
                    shown,
                    f"{ctx.text('sep')}{ctx.text('before')} ",
                    share_shown,
                    f" < {share_text(c.up_to or 0)} → {c.grade}",
                ),
            )
            for i, (_, c) in enumerate(conditions)
        ],
    ]
    tail = f" ≥ {share_text(last_bound)}" if last_bound is not None else ""
    reason = ibis.cases(
        *reasons,
        else_=concat(
            f"{body.on} = ", shown, f"{ctx.text('sep')}{ctx.text('before')} ", share_shown, f"{tail} → {last}"
        ),
    )
    label = ibis.cases(*[(cls == i, g) for i, g in enumerate(labels)], else_=last)
    next_label, gap = _gap_to_better_class(ctx, value, cls, labels, scope, path)
    return Out(label, reason, next_label, gap)


def visit_percentile(body: Percentile, ctx: Context, scope: ir.BooleanValue | None, path: Path, top: bool) -> Out:
    value = _numeric(ctx, body.on, (*path, "on"), "percentile")
    part = _partition(scope)
    greater = ctx.window(
        f"{slug(path)}_greater",
        ibis.rank().over(ibis.window(group_by=part, order_by=[value.isnull(), ibis.desc(value)])),
    )
    counted = ctx.window(f"{slug(path)}_n", value.count().over(ibis.window(group_by=part)))
    labels = [c.grade for c in body.classes]
    missing = missing_label(ctx, labels, top)
    # in doubles, exact for integers below 2**53: Spark's RANK() is a 32-bit integer (Ibis takes it for a
    # 64-bit one and drops a cast), and the rank times SCALE overflows it from 2,148 customers
    scaled, of = greater.cast("float64") * SCALE, counted.cast("float64")
    conditions = [(scaled < round(c.top * SCALE) * of, c) for c in body.classes[:-1] if c.top]
    cls = ctx.window(
        f"{slug(path)}_class",
        ibis.cases((value.isnull(), -1), *[(cond, i) for i, (cond, _) in enumerate(conditions)], else_=len(labels) - 1),
    )
    fraction = greater.cast("float64") / counted.nullif(0)
    fraction_shown = ctx.cached(f"{slug(path)}_fraction_text", lambda: share_sql(fraction, ctx.dialect))
    shown = shown_number(ctx, value)
    last_bound = body.classes[-2].top if len(body.classes) > 1 else None

    def says(tail: str, grade: str) -> ir.StringValue:
        return concat(
            f"{body.on} = ",
            shown,
            f"{ctx.text('sep')}{ctx.text('above_it')} ",
            fraction_shown,
            f"{tail} → {grade}",
        )

    reason = ibis.cases(
        (cls == -1, ibis.literal(f"{body.on} {ctx.text('no_value')} → {missing}")),
        *[
            (cls == i, says(f" < {ctx.text('top')}{share_text(c.top or 0)}", c.grade))
            for i, (_, c) in enumerate(conditions)
        ],
        else_=says(f" ≥ {share_text(last_bound)}" if last_bound is not None else "", labels[-1]),
    )
    label = ibis.cases((cls == -1, missing), *[(cls == i, g) for i, g in enumerate(labels)], else_=labels[-1])
    next_label, gap = _gap_to_better_class(ctx, value, cls, labels, scope, path)
    return Out(label, reason, next_label, gap)


_RANGE = re.compile(r"^\s*(\d+)\s*(?:\.\.|-)\s*(\d+)\s*$")
_CMP = re.compile(r"^\s*(>=|<=|==|>|<|=)?\s*(\d+)\s*$")


def _score_condition(score: ir.IntegerValue, condition: str | int) -> ir.BooleanValue:
    text = str(condition).strip()
    if (match := _RANGE.match(text)) is not None:
        return score.between(int(match.group(1)), int(match.group(2)))
    match = _CMP.match(text)
    assert match is not None  # checked when the file was loaded
    op, number = match.group(1) or "==", int(match.group(2))
    ops: dict[str, Any] = {
        ">=": score >= number,
        "<=": score <= number,
        ">": score > number,
        "<": score < number,
        "==": score == number,
        "=": score == number,
    }
    return ops[op]  # type: ignore[no-any-return]


def visit_rfm(body: Rfm, ctx: Context, scope: ir.BooleanValue | None, path: Path, top: bool) -> Out:
    part = _partition(scope)
    dims = {"r": body.recency, "f": body.frequency, "m": body.monetary}
    values = {
        d: _numeric(ctx, name, (*path, {"r": "recency", "f": "frequency", "m": "monetary"}[d]), "rfm")
        for d, name in dims.items()
    }
    levels: dict[str, ir.Value] = {}
    for d, value in values.items():
        lower_is_better = d == "r"
        if body.split:
            # the mean of exact decimals: a parallel floating-point mean depends on the order of the rows
            exact = value.cast(EXACT) if value.type().is_floating() else value
            stat = ctx.window(
                f"{slug(path)}_{d}_{body.split}",
                (exact.mean() if body.split == "mean" else value.median()).over(ibis.window(group_by=part)),
            )
            high = (value <= stat) if lower_is_better else (value >= stat)
            levels[d] = ctx.window(f"{slug(path)}_{d}", ibis.ifelse(high.fill_null(False), "high", "low"))
        else:
            assert body.scores is not None
            order = [value.notnull(), ibis.desc(value) if lower_is_better else value]
            worse = ctx.window(f"{slug(path)}_{d}_worse", ibis.rank().over(ibis.window(group_by=part, order_by=order)))
            total = ctx.window(f"{slug(path)}_n", ctx.table["customer_id"].count().over(ibis.window(group_by=part)))
            levels[d] = ctx.window(f"{slug(path)}_{d}", (worse * body.scores) // total + 1)
    conditions = []
    for segment in body.segments:
        parts = []
        for d in "rfm":
            condition = getattr(segment, d)
            if str(condition).strip() == "*":
                continue
            parts.append(levels[d] == str(condition) if body.split else _score_condition(levels[d], condition))  # type: ignore[arg-type]
        conditions.append(ibis.and_(*parts) if parts else ibis.literal(True))
    labels = [s.grade for s in body.segments]
    missing = missing_label(ctx, labels, top)
    pieces: list[ir.StringValue | str] = []
    for i, d in enumerate("rfm"):
        sep = "" if i == 0 else ctx.text("sep")
        if body.split:
            word = ibis.ifelse(levels[d] == "high", ctx.text("high"), ctx.text("low"))
            pieces += [
                f"{sep}{d.upper()} {dims[d]} = ",
                number_sql(values[d], ctx.dialect),
                ctx.text("open"),
                word,
                ctx.text("close"),
            ]
        else:
            pieces += [
                f"{sep}{d.upper()}{ctx.text('open').strip() or '('}",
                levels[d].cast("string"),
                f"{ctx.text('close').strip() or ')'} {dims[d]} = ",
                number_sql(values[d], ctx.dialect),
            ]
    described = concat(*pieces)
    label = ibis.cases(*[(c, s.grade) for c, s in zip(conditions, body.segments, strict=True)], else_=missing)
    reason = concat(described, " → ", label)
    _ = segment_matches  # the loader used it to prove the segments cover every combination
    return Out(label, reason, NULL_TEXT, NULL_NUMBER)
