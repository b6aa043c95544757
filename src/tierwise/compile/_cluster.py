"""The ``cluster`` grader: every customer to the nearest fitted centre, in SQL.

The centres are found on the data before compiling (``tierwise.evaluate`` fits them);
what this module needs of a fit is :class:`SegmentPlan`: the standardisation, the
centres in grade order and each centre's name in both languages. Each customer's
squared distance to each centre is a column of its own (``…_d0``, ``…_d1`` …), so the
explanation can show them; the nearest wins, the first of equally near ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from tierwise.spec import Standard
from tierwise.spec._model import Cluster, Grader

from ._context import Context, Out, slug
from ._format import concat, number_sql
from ._graders import NULL_NUMBER, NULL_TEXT, missing_label
from ._ranked import _numeric

__all__ = ["SegmentPlan", "cluster_graders", "cluster_key", "visit_cluster"]

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class SegmentPlan:
    """What the compiled SQL needs of fitted segments (``labels[k]`` is the grade of ``centres[k]``)."""

    on: tuple[str, ...]
    labels: tuple[str, ...]
    center: tuple[float, ...]
    scale: tuple[float, ...]
    centres: tuple[tuple[float, ...], ...]
    names: Mapping[str, Sequence[str]]  # language -> each centre in words
    log: tuple[bool, ...] = ()  # per value: segmented on sign(x)·ln(1 + |x|)


def cluster_key(standard: Standard, path: Path) -> str:
    """The key of a cluster grader's fit: the standard and where the grader sits in it."""
    return f"cluster|{standard.id}|{slug(path)}"


def cluster_graders(standard: Standard) -> list[tuple[Path, Cluster]]:
    """Every cluster grader of ``standard`` (at the top or as a matrix dimension), with its path."""
    found = []
    for path, grader in standard.grade.walk():
        if grader.kind == "cluster":
            assert isinstance(grader, Grader)
            assert grader.cluster is not None
            found.append(((*path, "cluster"), grader.cluster))
    return found


_TEXT = {
    "zh": {"nearest": "：最接近「{name}」群的中心 → ", "distance": "距离"},
    "en": {"nearest": ": nearest the centre of '{name}' → ", "distance": "distance"},
}


def visit_cluster(body: Cluster, ctx: Context, scope: ir.BooleanValue | None, path: Path, top: bool) -> Out:
    before = len(ctx.problems)
    values = [_numeric(ctx, name, (*path, "on", name), "cluster grader") for name in body.on]
    labels = list(body.segments)
    missing = missing_label(ctx, labels, top)
    plan: SegmentPlan | None = ctx.clusters.get(cluster_key(ctx.standard, path))
    if plan is None and len(ctx.problems) > before:  # a value is missing or not a number: nothing to fit on
        return Out(ibis.literal(missing), ibis.literal(missing), NULL_TEXT, NULL_NUMBER)
    if plan is None:
        ctx.problem(
            path,
            "The cluster grader finds its segments in the data first: compile it through tierwise.evaluate "
            "(or tierwise.compiled_sql), which fits them.",
        )
        return Out(ibis.literal(missing), ibis.literal(missing), NULL_TEXT, NULL_NUMBER)
    if plan.on != tuple(body.on) or sorted(plan.labels) != sorted(labels):
        ctx.problem(
            path,
            f"The segments given for the cluster grader are of {', '.join(plan.on)} into {', '.join(plan.labels)}, "
            f"not of {', '.join(body.on)} into {', '.join(labels)}; fit them again.",
        )
        return Out(ibis.literal(missing), ibis.literal(missing), NULL_TEXT, NULL_NUMBER)
    logged = plan.log or (False,) * len(values)
    shaped = [v.sign() * (v.abs() + 1).ln() if flag else v for v, flag in zip(values, logged, strict=True)]
    z = [(value - center) / scale for value, center, scale in zip(shaped, plan.center, plan.scale, strict=True)]
    distances = []
    for k, centre in enumerate(plan.centres):
        total: Any = ibis.literal(0.0)
        for zj, cj in zip(z, centre, strict=True):
            total = total + (zj - cj) * (zj - cj)
        distances.append(ctx.window(f"{slug(path)}_d{k}", total.cast("float64")))
    absent = ibis.or_(*[v.isnull() for v in values])
    nearest = [
        ibis.and_(*[distances[k] <= distances[m] for m in range(len(distances)) if m != k])
        for k in range(len(distances))
    ]
    index = ctx.window(
        f"{slug(path)}_segment",
        ibis.cases((absent, -1), *[(hit, k) for k, hit in enumerate(nearest[:-1])], else_=len(distances) - 1),
    )
    label = ibis.cases(*[(index == k, plan.labels[k]) for k in range(len(plan.labels))], else_=missing)
    text = _TEXT[ctx.lang]
    shown: list[ir.StringValue | str] = []
    for i, (name, value) in enumerate(zip(body.on, values, strict=True)):
        shown += [("" if i == 0 else ctx.text("sep")) + f"{name} = ", number_sql(value, ctx.dialect)]
    names = plan.names.get(ctx.lang) or plan.names.get("zh") or plan.labels
    reason = ibis.cases(
        *[
            (value.isnull(), ibis.literal(f"{name} {ctx.text('no_value')} → {missing}"))
            for name, value in zip(body.on, values, strict=True)
        ],
        *[
            (index == k, concat(*shown, text["nearest"].format(name=names[k]) + plan.labels[k]))
            for k in range(len(plan.labels))
        ],
        else_=ibis.literal(missing),
    )
    return Out(label, reason, NULL_TEXT, NULL_NUMBER)
