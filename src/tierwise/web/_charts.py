"""ECharts options for the pages' charts, built from the reports; the page embeds them as JSON data, never as script.

``static/tierwise.js`` finds each ``<script type="application/json" data-chart>`` and draws
it with the vendored ECharts; animation is off when the app is created with
``animate=False`` (tests and screenshots).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from tierwise._messages import message

__all__ = ["bars", "heatmap", "lorenz", "period_names", "region_bars", "sankey"]


def period_names(before: dt.date, after: dt.date) -> tuple[str, str]:
    """How the two sides of a migration are named: by year when the years differ, else by day."""
    if before.year != after.year:
        return str(before.year), str(after.year)
    return before.isoformat(), after.isoformat()


def bars(distribution: Sequence[dict[str, Any]], lang: str) -> dict[str, Any]:
    """Customers per grade (bars) and the share of value (line, right axis)."""
    customers, share = message("report.customers", lang), message("report.value_share", lang)
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 56, "right": 48, "top": 24, "bottom": 48},
        "xAxis": {"type": "category", "data": [r["grade"] for r in distribution]},
        "yAxis": [{"type": "value", "name": customers}, {"type": "value", "max": 1, "name": share}],
        "series": [
            {"name": customers, "type": "bar", "data": [r["customers"] for r in distribution]},
            {
                "name": share,
                "type": "line",
                "yAxisIndex": 1,
                "data": [round(r["value_share"], 6) for r in distribution],
            },
        ],
    }


def lorenz(points: Sequence[Sequence[float]], lang: str) -> dict[str, Any]:
    """The Pareto curve, with the line of equal shares."""
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 56, "right": 24, "top": 24, "bottom": 48},
        "xAxis": {
            "type": "value",
            "max": 1,
            "name": message("report.cum_customer_share", lang),
            "nameLocation": "middle",
            "nameGap": 28,
        },
        "yAxis": {"type": "value", "max": 1, "name": message("report.cum_value_share", lang)},
        "series": [
            {"type": "line", "showSymbol": False, "data": [list(p) for p in points]},
            {"type": "line", "showSymbol": False, "lineStyle": {"type": "dashed"}, "data": [[0, 0], [1, 1]]},
        ],
    }


def sankey(
    pairs: Sequence[tuple[str | None, str | None, int]],
    grades: Sequence[str],
    names: tuple[str, str],
    lang: str,
) -> dict[str, Any]:
    """The migration as a Sankey diagram; each node is a grade of one period (``A(2025)``), so there is no cycle."""
    none = message("dashboard.not_graded", lang)

    def node(grade: str | None, side: int) -> str:
        return f"{grade if grade is not None else none}({names[side]})"

    order = [*grades, None]
    nodes = [{"name": node(g, side)} for side in (0, 1) for g in order]
    links = [{"source": node(b, 0), "target": node(a, 1), "value": n} for b, a, n in pairs if n > 0]
    used = {link["source"] for link in links} | {link["target"] for link in links}
    return {
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "sankey",
                "left": 8,
                "right": 96,
                "top": 8,
                "bottom": 8,
                "nodeAlign": "justify",
                "layoutIterations": 0,
                "emphasis": {"focus": "adjacency"},
                "data": [n for n in nodes if n["name"] in used],
                "links": links,
            }
        ],
    }


def heatmap(pairs: Sequence[tuple[str | None, str | None, int]], grades: Sequence[str], lang: str) -> dict[str, Any]:
    """A migration matrix as a heat map: rows before, columns after, the count in each cell."""
    names = [*grades, message("dashboard.not_graded", lang)]
    index = {g: i for i, g in enumerate(grades)}
    cells: dict[tuple[int, int], int] = {}
    for before, after, count in pairs:
        key = (
            index.get(after, len(grades)) if after is not None else len(grades),
            index.get(before, len(grades)) if before is not None else len(grades),
        )
        cells[key] = cells.get(key, 0) + count
    data = [[x, y, n] for (x, y), n in sorted(cells.items())]
    return {
        "tooltip": {},
        "grid": {"left": 72, "right": 24, "top": 24, "bottom": 72},
        "xAxis": {"type": "category", "data": names, "name": message("report.after", lang)},
        "yAxis": {"type": "category", "data": names, "name": message("report.before", lang), "inverse": True},
        "visualMap": {
            "min": 0,
            "max": max([c[2] for c in data] + [1]),
            "orient": "horizontal",
            "left": "center",
            "bottom": 0,
        },
        "series": [{"type": "heatmap", "data": data, "label": {"show": True}}],
    }


def region_bars(rows: Sequence[dict[str, Any]], grades: Sequence[str], lang: str) -> dict[str, Any]:
    """Customers of each grade in each region, stacked."""
    regions = list(dict.fromkeys(str(r["region"]) if r["region"] is not None else "—" for r in rows))
    count = {(str(r["region"]) if r["region"] is not None else "—", r["grade"]): r["customers"] for r in rows}
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 72, "right": 24, "top": 16, "bottom": 48},
        "xAxis": {"type": "value", "name": message("report.customers", lang)},
        "yAxis": {"type": "category", "data": regions, "inverse": True},
        "series": [
            {"name": g, "type": "bar", "stack": "grades", "data": [count.get((r, g), 0) for r in regions]}
            for g in grades
        ],
    }
