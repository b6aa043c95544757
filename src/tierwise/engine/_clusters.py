"""Fitting the segments of ``cluster`` graders on the data, before the standard compiles.

The values each grader segments on are computed by the backend (the standard's own
indicators, population applied); one row per customer reaches scikit-learn, ordered by
customer id so that the seeded fit is the same on every backend. The fitted centres go
back into the SQL as numbers (:class:`~tierwise.compile.SegmentPlan`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import ibis.expr.types as ir
import numpy as np

from tierwise.compile import Materialize, SegmentPlan, cluster_graders, cluster_key, indicator_table
from tierwise.models import ModelError, Segments, describe_segments, fit_segments
from tierwise.spec import Problem, Standard, StandardError
from tierwise.spec._cluster import Cluster

from ._models import owners

__all__ = ["has_clusters", "plan_of", "with_clusters"]

LANGS = ("zh", "en")


def has_clusters(standard: Standard) -> bool:
    """Whether ``standard`` (or one it refers to) has a cluster grader."""
    return any(cluster_graders(owner) for owner in owners(standard))


def plan_of(body: Cluster, segments: Segments) -> SegmentPlan:
    """What the SQL needs of fitted segments, with each centre named in both languages."""
    words = dict(body.on)
    names = {lang: tuple(describe_segments(segments, words, lang)) for lang in LANGS}
    return SegmentPlan(
        segments.on, segments.labels, segments.center, segments.scale, segments.centres, names, segments.log
    )


def _values(con: Any, table: ir.Table, body: Cluster) -> np.ndarray:
    from ._evaluation import _execute

    picked = table.select("customer_id", *[table[name].cast("float64").name(name) for name in body.on])
    arrow = _execute(con, picked.order_by("customer_id"))
    columns = [arrow[name].to_numpy(zero_copy_only=False) for name in body.on]
    return np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])


def _unfit(body: Cluster, table: ir.Table) -> bool:
    """Whether a value is missing or not a number (the compiler reports it, with its line)."""
    for name in body.on:
        if name not in table.columns:
            return True
        kind = table[name].type()
        if not (kind.is_numeric() or kind.is_boolean()):
            return True
    return False


def with_clusters(
    con: Any,
    standard: Standard,
    tables: Mapping[str, ir.Table],
    as_of: dt.date,
    *,
    pinned: Mapping[str, Any] | None = None,
    previous: Mapping[str, Any] | None = None,
    materialize: Materialize | None = None,
) -> tuple[dict[str, SegmentPlan], dict[str, Any]]:
    """The fitted segments of every cluster grader: plans for the compiler, records for the run.

    ``pinned`` (a run's stored records, by :func:`~tierwise.compile.cluster_key`) replaces
    fitting, so the run is reproduced; ``previous`` (an earlier run's) is what the new
    segments are matched to, so each grade keeps its kind of customer.
    """
    plans: dict[str, SegmentPlan] = {}
    records: dict[str, Any] = {}
    problems: list[Problem] = []
    for owner in owners(standard):
        graders = cluster_graders(owner)
        table = None
        for path, body in graders:
            key = cluster_key(owner, path)
            where = (owner.source, owner.line_of(*path))
            try:
                if pinned is not None and key in pinned:
                    segments = Segments.from_dict(pinned[key])
                else:
                    if table is None:
                        table = indicator_table(owner, tables, as_of, dialect=con.name, materialize=materialize)
                    if _unfit(body, table):
                        continue
                    earlier = Segments.from_dict(previous[key]) if previous and key in previous else None
                    segments = fit_segments(
                        _values(con, table, body),
                        list(body.on),
                        body.segments,
                        rank_by=body.rank_by,
                        seed=body.seed,
                        sample=body.sample,
                        previous=earlier,
                        log=body.log,
                    )
            except ModelError as exc:
                problems.append(Problem(*where, f"The cluster grader of '{owner.id}' cannot find its segments: {exc}"))
                continue
            plan = plan_of(body, segments)
            plans[key] = plan
            records[key] = {
                **segments.to_dict(),
                "standard": owner.id,
                "at": ".".join(str(p) for p in path),
                "names": {lang: list(n) for lang, n in plan.names.items()},
            }
    if problems:
        raise StandardError(problems)
    return plans, records
