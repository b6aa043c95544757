"""One visitor per grader kind (LANGUAGE.md §6): each returns a label and its reason.

``visit`` dispatches on the kind. Graders that rank customers against each other
(pareto, percentile, rfm) live in ``_ranked.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from tierwise.spec._model import Criterion, Grader, Ladder, MapGrader, Matrix, Rule, Scorecard, Step

from ._context import Context, Out, slug
from ._format import bound_text, concat, number_sql, round_exact, value_sql

__all__ = ["SYMBOL", "ladder_out", "shown_number", "visit"]

Path = tuple[str | int, ...]
SYMBOL = {"at_least": "≥", "above": ">", "at_most": "≤", "below": "<"}
NEGATED = {"at_least": "<", "above": "≤", "at_most": ">", "below": "≥"}
NULL_TEXT = ibis.null("string")
NULL_NUMBER = ibis.null("float64")


def visit(grader: Grader, ctx: Context, scope: ir.BooleanValue | None, path: Path, top: bool) -> Out:
    """Compile ``grader`` (at ``path`` in the file) for the customers in ``scope``."""
    from ._cluster import visit_cluster
    from ._ranked import visit_pareto, visit_percentile, visit_rfm

    kind = grader.kind
    body = grader.body
    here = (*path, kind)
    visitors: dict[str, Any] = {
        "ladder": visit_ladder,
        "rules": visit_rules,
        "scorecard": visit_scorecard,
        "map": visit_map,
        "matrix": visit_matrix,
        "pareto": visit_pareto,
        "percentile": visit_percentile,
        "rfm": visit_rfm,
        "cluster": visit_cluster,
    }
    result: Out = visitors[kind](body, ctx, scope, here, top)
    return result


def shown_number(ctx: Context, value: ir.Value) -> ir.StringValue:
    """The value formatted for a reason, computed once per row (a named column)."""
    name = value.get_name() if hasattr(value, "get_name") else None
    if not name or name.startswith("_tw_"):
        return number_sql(value, ctx.dialect)  # type: ignore[arg-type]
    return ctx.cached(slug(("fmt", name)), lambda: number_sql(value, ctx.dialect))  # type: ignore[arg-type, return-value]


def missing_label(ctx: Context, labels: Sequence[str], top: bool) -> str:
    """Null deciding value: the standard's ``missing`` grade, or a dimension's last label."""
    return ctx.standard.missing_grade if top else labels[-1]


STRICT_STEP = 0.000001  # the last exact decimal place of sums: the step past an `above`/`below` bound


def _condition(value: ir.Value, key: str, bound: float) -> ir.BooleanValue:
    ops = {
        "at_least": value >= bound,
        "above": value > bound,
        "at_most": value <= bound,
        "below": value < bound,
    }
    return ops[key]  # type: ignore[return-value]


def ladder_out(
    ctx: Context,
    value: ir.Value,
    on_text: str,
    steps: Sequence[Step],
    top: bool,
    value_text: ir.StringValue | None = None,
) -> Out:
    """The ladder decision over ``value``, shared by ladder and scorecard."""
    labels = [s.grade for s in steps]
    missing = missing_label(ctx, labels, top)
    shown = value_text if value_text is not None else shown_number(ctx, value)
    label_cases: list[tuple[ir.BooleanValue, Any]] = [(value.isnull(), missing)]
    reason_cases: list[tuple[ir.BooleanValue, Any]] = [
        (value.isnull(), ibis.literal(f"{on_text} {ctx.text('no_value')} → {missing}"))
    ]
    next_cases: list[tuple[ir.BooleanValue, Any]] = [(value.isnull(), NULL_TEXT)]
    gap_cases: list[tuple[ir.BooleanValue, Any]] = [(value.isnull(), NULL_NUMBER)]
    previous: tuple[str, float] | None = None
    for index, step in enumerate(steps):
        bound = step.bound
        if bound is None:
            condition = ibis.literal(True)
            tail = f" {NEGATED[previous[0]]} {bound_text(previous[1], ctx.lang)}" if previous else ""
        else:
            condition = _condition(value, *bound)
            tail = f" {SYMBOL[bound[0]]} {bound_text(bound[1], ctx.lang)}"
        label_cases.append((condition, step.grade))
        reason_cases.append((condition, concat(f"{on_text} = ", shown, f"{tail} → {step.grade}")))
        if index == 0:
            next_cases.append((condition, NULL_TEXT))
            gap_cases.append((condition, NULL_NUMBER))
        else:
            assert previous is not None
            gap = previous[1] - value if previous[0] in ("at_least", "above") else value - previous[1]
            if previous[0] in ("above", "below"):  # a strict bound is passed by the smallest step beyond it
                gap = gap + (1 if value.type().is_integer() else STRICT_STEP)
            next_cases.append((condition, ibis.literal(steps[index - 1].grade)))
            gap_cases.append((condition, gap.cast("float64")))  # type: ignore[union-attr]
        previous = bound
    return Out(
        label=ibis.cases(*label_cases),
        reason=ibis.cases(*reason_cases),
        next_label=ibis.cases(*next_cases),
        gap=ibis.cases(*gap_cases),
    )


def visit_ladder(body: Ladder, ctx: Context, scope: ir.BooleanValue | None, path: Path, top: bool) -> Out:
    value = ctx.column(body.on, (*path, "on"), "value 'on'")
    if not (value.type().is_numeric() or value.type().is_null()):
        ctx.problem(
            (*path, "on"), f"The ladder's 'on' ({body.on}) must be a number. Got a {value.type()} column instead."
        )
        value = NULL_NUMBER
    return ladder_out(ctx, value, body.on, body.steps, top)


def _then(ctx: Context, then: str | Grader, scope: ir.BooleanValue | None, path: Path, top: bool) -> Out:
    if isinstance(then, str):
        return Out(ibis.literal(then), ibis.literal(then), NULL_TEXT, NULL_NUMBER)
    return visit(then, ctx, scope, path, top)


def visit_rules(body: Sequence[Rule], ctx: Context, scope: ir.BooleanValue | None, path: Path, top: bool) -> Out:
    conditions: list[ir.BooleanValue] = []
    outs: list[Out] = []
    texts: list[str] = []
    reached = scope if scope is not None else ibis.literal(True)
    for index, rule in enumerate(body):
        if rule.otherwise is not None:
            sub_scope = _scope(ctx, rule.otherwise, path, index, reached)
            outs.append(_then(ctx, rule.otherwise, sub_scope, (*path, index, "otherwise"), top))
            texts.append(ctx.text("otherwise"))
            continue
        assert rule.when is not None
        assert rule.then is not None
        condition = ctx.expr(rule.when, (*path, index, "when"), "condition")
        if not condition.type().is_boolean():
            ctx.problem(
                (*path, index, "when"),
                f"The condition '{rule.when}' must be true or false. Got a {condition.type()} value instead.",
            )
            condition = ibis.literal(False)
        condition = condition.fill_null(False)  # type: ignore[union-attr]
        conditions.append(condition)
        sub_scope = _scope(ctx, rule.then, path, index, reached & condition)
        outs.append(_then(ctx, rule.then, sub_scope, (*path, index, "then"), top))
        texts.append(ctx.text("holds", when=rule.when))
        reached = reached & ~condition

    def pick(attr: str, prefix: bool = False) -> ir.Value:
        cases = []
        for index, condition in enumerate(conditions):
            value = getattr(outs[index], attr)
            if prefix:
                value = _join_reason(ctx, texts[index], rule_then=body[index].then, inner=value)
            cases.append((condition, value))
        last = getattr(outs[-1], attr)
        if prefix:
            last = _join_reason(ctx, texts[-1], rule_then=body[-1].otherwise, inner=last)
        return ibis.cases(*cases, else_=last) if cases else last

    matched = ibis.cases(*[(c, i + 1) for i, c in enumerate(conditions)], else_=len(body))
    ctx.aux[f"{slug(path)}_rule"] = matched
    return Out(pick("label"), pick("reason", prefix=True), pick("next_label"), pick("gap"))


def _scope(ctx: Context, then: Any, path: Path, index: int, reached: ir.BooleanValue) -> ir.BooleanValue | None:
    """The customers that reach a nested grader, materialised for its windows."""
    if isinstance(then, str):
        return None
    return ctx.window(f"{slug(path)}_{index}_in", reached)  # type: ignore[return-value]


def _join_reason(ctx: Context, head: str, rule_then: Any, inner: ir.Value) -> ir.StringValue:
    if isinstance(rule_then, str):
        return ibis.literal(f"{head} → {rule_then}")
    return concat(head + ctx.text("and"), inner)  # type: ignore[arg-type]


def visit_scorecard(body: Scorecard, ctx: Context, scope: ir.BooleanValue | None, path: Path, top: bool) -> Out:
    total: ir.NumericValue = ibis.literal(0.0)
    parts: list[ir.StringValue | str] = []
    for index, criterion in enumerate(body.criteria):
        where = (*path, "criteria", index)
        value = ctx.column(criterion.on, (*where, "on"), "value 'on'")
        if criterion.points is not None:
            points = _points_from_map(ctx, value, criterion, where)
        else:
            assert criterion.bands is not None
            if not value.type().is_numeric():
                ctx.problem(
                    (*where, "on"),
                    f"Criterion '{criterion.name}' has bands, so its 'on' ({criterion.on}) must be a number. Got a {value.type()} column instead.",
                )
                value = NULL_NUMBER
            cases = [(_condition(value, *b.bound), b.points) for b in criterion.bands if b.bound]
            points = ibis.cases(*cases, else_=criterion.bands[-1].points)
        points = ibis.ifelse(value.isnull(), body.missing_points, points).cast("float64")
        column = ctx.window(f"{slug(where)}_points", points)
        total = total + column * criterion.weight
        separator = "" if index == 0 else ("、" if ctx.lang == "zh" else ", ")
        parts += [
            f"{separator}{criterion.name} ",
            number_sql(column, ctx.dialect),
            f"{ctx.text('pts')}×{criterion.weight:g}%",
        ]
    score = ctx.window(f"{slug(path)}_score", round_exact(total / 100, 4))
    breakdown = ctx.cached(
        f"{slug(path)}_breakdown",
        lambda: concat(shown_number(ctx, score), ctx.text("open"), *parts, ctx.text("close")),
    )
    return ladder_out(ctx, score, ctx.text("score"), body.steps, top, value_text=breakdown)  # type: ignore[arg-type]


def _points_from_map(ctx: Context, value: ir.Value, criterion: Criterion, where: Path) -> ir.Value:
    assert criterion.points is not None
    points = {**criterion.points, **{k: criterion.points[v] for k, v in (criterion.synonyms or {}).items()}}
    keys = list(points)
    if value.type().is_numeric() and all(isinstance(k, (int, float)) for k in keys):
        cases = [(value == k, p) for k, p in points.items()]
    else:
        text = value.cast("string")
        cases = [(text == str(k), p) for k, p in points.items()]
    unknown(ctx, where, f"criterion '{criterion.name}'", value, [c for c, _ in cases])
    return ibis.cases(*cases, else_=ibis.null("float64"))


def unknown(ctx: Context, path: Path, what: str, value: ir.Value, listed: Sequence[ir.BooleanValue]) -> None:
    """Record a check column: the value when it is present but none of ``listed`` holds (else null)."""
    line = ctx.standard.line_of(*path)
    where = f"{ctx.standard.source}:{line}" if line else ctx.standard.source
    cases = [(value.isnull(), NULL_TEXT), *[(c, NULL_TEXT) for c in listed]]
    ctx.checks[f"{slug(path)}_unknown"] = (f"{what} at {where}", ibis.cases(*cases, else_=value.cast("string")))


def visit_map(body: MapGrader, ctx: Context, scope: ir.BooleanValue | None, path: Path, top: bool) -> Out:
    value = ctx.column(body.on, (*path, "on"), "value 'on'")
    labels = list(dict.fromkeys([*body.values.values(), *([body.otherwise] if body.otherwise else [])]))
    missing = missing_label(ctx, labels, top)
    fallback = body.otherwise if body.otherwise is not None else missing
    numeric = value.type().is_numeric() and all(isinstance(k, (int, float)) for k in body.values)
    key = value if numeric else value.cast("string")
    hits = [(key == (k if numeric else str(k)), label) for k, label in body.values.items()]
    shown = value_sql(value, ctx.dialect)
    unknown(ctx, path, f"the map on '{body.on}'", value, [c for c, _ in hits])
    label = ibis.cases((value.isnull(), missing), *hits, else_=fallback)
    reason = ibis.cases(
        (value.isnull(), ibis.literal(f"{body.on} {ctx.text('no_value')} → {missing}")),
        *[(c, concat(f"{body.on} = ", shown, f" → {lbl}")) for c, lbl in hits],
        else_=concat(f"{body.on} = ", shown, f" {ctx.text('unlisted')} → {fallback}"),
    )
    return Out(label, reason, NULL_TEXT, NULL_NUMBER)


def visit_matrix(body: Matrix, ctx: Context, scope: ir.BooleanValue | None, path: Path, top: bool) -> Out:
    labels: dict[str, ir.Value] = {}
    for name, spec in body.dimensions.items():
        where = (*path, "dimensions", name)
        if isinstance(spec, Grader):
            out = visit(spec, ctx, scope, where, top=False)
            value = ctx.window(f"{slug(where)}_label", out.label)
        else:
            column = ctx.references.get(spec.standard)
            value = ctx.table[column] if column in ctx.table.columns else NULL_TEXT
        labels[name] = value
        if name in ctx.dimensions or (name in ctx.standard.indicators):
            ctx.problem(
                where, f"The dimension name '{name}' is already used by an indicator or another dimension; rename it."
            )
        ctx.dimensions[name] = value
    conditions = []
    for cell in body.cells:
        parts = [labels[d] == str(v) for d, v in cell.items() if d != "grade" and str(v) != "*" and d in labels]
        conditions.append(ibis.and_(*parts) if parts else ibis.literal(True))
    fallback = body.otherwise if body.otherwise is not None else ctx.standard.missing_grade
    summary: list[ir.StringValue | str] = []
    for index, (name, value) in enumerate(labels.items()):
        summary += [("" if index == 0 else ctx.text("sep")) + f"{name}=", value.cast("string")]
    described = concat(*summary)
    label = ibis.cases(
        *[(c, str(cell["grade"])) for c, cell in zip(conditions, body.cells, strict=True)], else_=fallback
    )
    reason = ibis.cases(
        *[
            (c, concat(described, f" {ctx.text('cell', n=i + 1)} → {cell['grade']}"))
            for i, (c, cell) in enumerate(zip(conditions, body.cells, strict=True))
        ],
        else_=concat(described, f" {ctx.text('no_cell')} → {fallback}"),
    )
    ctx.aux[f"{slug(path)}_cell"] = ibis.cases(*[(c, i + 1) for i, c in enumerate(conditions)], else_=0)
    next_label, gap = _matrix_next(body, ctx, labels, label, fallback)
    return Out(label, reason, next_label, gap)


def _matrix_next(
    body: Matrix, ctx: Context, labels: dict[str, ir.Value], label: ir.Value, fallback: str
) -> tuple[ir.Value, ir.Value]:
    """The next grade up a matrix's cells give, and the gap when one ladder dimension alone stands between.

    For a customer in grade G, the next grade is the closest better grade some cell gives. The
    gap is reported when a cell of that grade differs from the customer's labels in exactly one
    dimension and that dimension is a ladder: how far its value is from the step the cell asks for.
    """
    rank = {g: i for i, g in enumerate(ctx.standard.grades)}
    given = sorted({str(c["grade"]) for c in body.cells}, key=lambda g: rank.get(g, len(rank)))
    next_cases: list[tuple[Any, Any]] = []
    gap_cases: list[tuple[Any, Any]] = []
    for current in dict.fromkeys([*given, fallback]):
        better = [g for g in given if rank.get(g, len(rank)) < rank.get(current, len(rank))]
        if not better:
            continue
        target = better[-1]
        next_cases.append((label == current, ibis.literal(target)))
        found = [_cell_gap(body, ctx, labels, cell) for cell in body.cells if str(cell["grade"]) == target]
        gaps = [g for g in found if g is not None]
        if gaps:
            gap_cases.append((label == current, gaps[0] if len(gaps) == 1 else ibis.least(*gaps)))
    next_label = ibis.cases(*next_cases, else_=NULL_TEXT) if next_cases else NULL_TEXT
    gap = ibis.cases(*gap_cases, else_=NULL_NUMBER) if gap_cases else NULL_NUMBER
    return next_label, gap


def _cell_gap(body: Matrix, ctx: Context, labels: dict[str, ir.Value], cell: dict[str, Any]) -> ir.Value | None:
    """How far the customer is from ``cell`` when only one ladder dimension differs (else null)."""
    wanted = {d: str(v) for d, v in cell.items() if d != "grade" and str(v) != "*" and d in labels}
    if not wanted:
        return None
    differs = {d: labels[d].cast("string") != v for d, v in wanted.items()}
    count = sum((c.ifelse(1, 0) for c in differs.values()), ibis.literal(0))
    cases: list[tuple[Any, Any]] = []
    for dim, target in wanted.items():
        spec = body.dimensions[dim]
        ladder = spec.ladder if isinstance(spec, Grader) else None
        step = next((s for s in ladder.steps if s.grade == target), None) if ladder is not None else None
        if ladder is None or step is None or step.bound is None or ladder.on not in ctx.table.columns:
            continue
        key, bound = step.bound
        value = ctx.table[ladder.on]
        distance = bound - value if key in ("at_least", "above") else value - bound
        if key in ("above", "below"):
            distance = distance + (1 if value.type().is_integer() else STRICT_STEP)
        cases.append(((count == 1) & differs[dim] & (distance > 0), distance.cast("float64")))
    return ibis.cases(*cases, else_=NULL_NUMBER) if cases else None
