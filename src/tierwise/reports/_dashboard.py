"""The dashboard of one standard for one user: the reports a management page shows, computed in SQL.

At a million customers the pandas reports (:func:`tierwise.reports.published` and the
frames built on it) take seconds; the dashboard asks the same questions of the workspace
in a few aggregate queries over the grades in force today, limited to the user's regions,
and keeps the answer until the workspace changes (any change is audited, so the audit
log's last id is the version the cache is keyed by). A test holds its distribution,
Lorenz curve and Gini coefficient to those of the pandas reports.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from tierwise._sql import ident
from tierwise.lifecycle import grades_on_sql, scoped_requests
from tierwise.lifecycle._publish import _parsed
from tierwise.spec import Standard
from tierwise.workspace import NotFound, User, Workspace, data_columns, last_change, scope_sql
from tierwise.workspace._runs import deciding_indicator, json_path
from tierwise.workspace._users import scoped

from ._due import due
from ._published import _LATEST_ROWS

__all__ = ["Dashboard", "dashboard"]

LORENZ_POINTS = 100  # points of the sampled Pareto curve (the full curve is in the report pack)
LISTED = 10  # items of what is due and pending requests shown


@dataclass(frozen=True)
class Dashboard:
    """What a standard's dashboard shows one user, today.

    ``distribution``: per grade (best first) ``grade``, ``customers``, ``customer_share``,
    ``value``, ``value_share``, ``cum_value_share``. ``lorenz``: ``[customer_share,
    value_share]`` points from the largest value down. ``migration``: ``before``,
    ``after`` (None: not graded then), ``customers`` since the previous publication.
    ``regions``: ``region``, ``grade``, ``customers``. ``due``: counts by kind and the
    first items of :func:`tierwise.reports.due` for this standard and these customers.
    """

    standard: Standard
    day: dt.date
    published: dt.date
    previous: dt.date | None
    value: str | None
    customers: int
    distribution: list[dict[str, Any]]
    lorenz: list[list[float]]
    gini: float
    migration: list[dict[str, Any]]
    regions: list[dict[str, Any]]
    due_counts: dict[str, int]
    due: list[dict[str, Any]]
    pending: int
    requests: list[dict[str, Any]] = field(default_factory=list)


_CACHE: OrderedDict[tuple[Any, ...], Dashboard] = OrderedDict()
_CACHE_SIZE = 32
_CACHE_LOCK = threading.Lock()


def _value_rows(con: Any, standard_id: str, day: dt.date) -> tuple[str, list[Any]]:
    """The run rows in force on ``day``: the latest full publication's, and later reviews' for their customers.

    The same rows as the reports' (each customer's latest publication that graded it): a
    full publication ends the grade of every customer it did not grade, so only reviews
    after it can hold newer rows. Without such reviews it is one run's rows, no window.
    """
    found = con.execute(
        "SELECT p.run_id, p.as_of, coalesce(r.review, false) FROM publications p JOIN runs r ON r.id = p.run_id "
        "WHERE p.standard_id = ? AND p.as_of <= ? ORDER BY p.as_of DESC",
        [standard_id, day],
    ).fetchall()
    newer: list[int] = []
    for run_id, _, review in found:
        if not review:
            if not newer:
                return "SELECT * FROM run_rows WHERE run_id = ?", [run_id]
            runs = [run_id, *newer]
            marks = ", ".join("?" for _ in runs)
            order = "CASE run_id " + " ".join(f"WHEN ? THEN {i}" for i in range(len(runs))) + " END"
            return (
                f"SELECT * FROM run_rows WHERE run_id IN ({marks}) "
                f"QUALIFY row_number() OVER (PARTITION BY customer_id ORDER BY {order} DESC) = 1",
                [*runs, *runs],
            )
        newer.insert(0, int(run_id))
    return _LATEST_ROWS, [standard_id, day]


def _graded(con: Any, standard: Standard, day: dt.date, user: User | None) -> tuple[str, list[Any]]:
    """The user's customers graded today: customer_id, grade, region, value (the deciding indicator)."""
    columns = data_columns(con, "customers")
    region = "CAST(c.region AS VARCHAR)" if "region" in columns else "NULL"
    customers = "LEFT JOIN data.customers c ON CAST(c.customer_id AS VARCHAR) = g.customer_id" if columns else ""
    scope, scope_params = scope_sql(user, region)
    on_day, on_day_params = grades_on_sql(standard.id, day)
    rows, rows_params = _value_rows(con, standard.id, day)
    value = deciding_indicator(standard)
    query = (
        "SELECT g.customer_id, g.grade, "
        f'{region} AS region, coalesce(TRY_CAST(json_extract_string(r."values", ?) AS DOUBLE), 0) AS v '
        f"FROM ({on_day}) g {customers} LEFT JOIN ({rows}) r ON r.customer_id = g.customer_id "
        f"WHERE g.state <> 'cancelled' AND g.grade IS NOT NULL AND {scope}"
    )
    return query, [json_path(value), *on_day_params, *rows_params, *scope_params]


def _distribution(con: Any, graded: str, params: list[Any], grades: list[str]) -> tuple[list[dict[str, Any]], int]:
    counted = {
        r[0]: (int(r[1]), float(r[2] or 0))
        for r in con.execute(f"SELECT grade, count(*), sum(v) FROM ({graded}) GROUP BY 1", params).fetchall()
    }
    total = sum(c for c, _ in counted.values())
    value = sum(v for _, v in counted.values())
    rows, running = [], 0.0
    for grade in grades:
        customers, amount = counted.get(grade, (0, 0.0))
        running += amount
        rows.append(
            {
                "grade": grade,
                "customers": customers,
                "customer_share": customers / total if total else 0.0,
                "value": amount,
                "value_share": amount / value if value else 0.0,
                "cum_value_share": running / value if value else 0.0,
            }
        )
    return rows, total


def _lorenz(con: Any, graded: str, params: list[Any], total: int) -> tuple[list[list[float]], float]:
    """The sampled Pareto curve and the Gini coefficient, from one pass sorted by value (below zero counts as zero).

    With ``j`` the rank from the largest value down, ``Σ i·x(i)`` over the ascending ranks
    is ``(n + 1)·Σx − Σ j·x(j)``, so one sort gives both.
    """
    if total == 0:
        return [], 0.0
    step = max(total // LORENZ_POINTS, 1)
    ranked = (
        "SELECT row_number() OVER w AS n, sum(x) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum, "
        f"x FROM (SELECT customer_id, greatest(v, 0) AS x FROM ({graded})) WINDOW w AS (ORDER BY x DESC, customer_id)"
    )
    rows = con.execute(
        f"WITH r AS ({ranked}), whole AS (SELECT sum(x) AS s, sum(n * x) AS nx, count(*) AS c FROM r) "
        "SELECT n, CASE WHEN whole.s > 0 THEN cum / whole.s ELSE 0 END, whole.s, whole.nx, whole.c FROM r, whole "
        "WHERE n % ? = 0 OR n = ? ORDER BY n",
        [*params, step, total],
    ).fetchall()
    whole, by_rank, count = (float(rows[-1][2] or 0), float(rows[-1][3] or 0), int(rows[-1][4])) if rows else (0, 0, 0)
    ascending = (count + 1) * whole - by_rank
    gini = 2 * ascending / (count * whole) - (count + 1) / count if whole > 0 and count else 0.0
    return [[0.0, 0.0], *([round(n / total, 6), round(float(c), 6)] for n, c, *_ in rows)], float(gini)


def _previous(con: Any, standard_id: str, published: dt.date) -> dt.date | None:
    row = con.execute(
        "SELECT p.as_of FROM publications p JOIN runs r ON r.id = p.run_id WHERE p.standard_id = ? AND p.as_of < ? "
        "AND NOT coalesce(r.review, false) ORDER BY p.as_of DESC LIMIT 1",
        [standard_id, published],
    ).fetchone()
    return row[0] if row else None


def _migration(con: Any, standard: Standard, before: dt.date, day: dt.date, user: User | None) -> list[dict[str, Any]]:
    columns = data_columns(con, "customers")
    region = "CAST(c.region AS VARCHAR)" if "region" in columns else "NULL"
    scope, scope_params = scope_sql(user, region)
    joined = columns and scope != "TRUE"  # the customers' regions, only to keep a regional user's
    customers = "LEFT JOIN data.customers c ON CAST(c.customer_id AS VARCHAR) = m.customer_id" if joined else ""
    then, then_params = grades_on_sql(standard.id, before)
    now, now_params = grades_on_sql(standard.id, day)
    rows = con.execute(
        "SELECT m.before, m.after, count(*) FROM (SELECT coalesce(a.customer_id, b.customer_id) AS customer_id, "
        "CASE WHEN a.state <> 'cancelled' THEN a.grade END AS before, "
        "CASE WHEN b.state <> 'cancelled' THEN b.grade END AS after "
        f"FROM ({then}) a FULL OUTER JOIN ({now}) b ON a.customer_id = b.customer_id) m {customers} "
        f"WHERE (m.before IS NOT NULL OR m.after IS NOT NULL) AND {scope} GROUP BY 1, 2",
        [*then_params, *now_params, *scope_params],
    ).fetchall()
    rank = {g: i for i, g in enumerate(standard.grades)}
    ordered = sorted(rows, key=lambda r: (rank.get(r[0], len(rank)), rank.get(r[1], len(rank))))
    return [{"before": b, "after": a, "customers": int(n)} for b, a, n in ordered]


def _regions(con: Any, graded: str, params: list[Any]) -> list[dict[str, Any]]:
    rows = con.execute(f"SELECT region, grade, count(*) FROM ({graded}) GROUP BY 1, 2 ORDER BY 1, 2", params)
    return [{"region": r, "grade": g, "customers": int(n)} for r, g, n in rows.fetchall()]


def _due(
    workspace: Workspace, standard_id: str, user: User | None, day: dt.date
) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """What is due for this standard (evaluation, provisional reviews, expiring 特批, requests), in the user's scope."""
    frame = due(workspace, day, standard_id=standard_id)
    ids = frame["customer_id"].dropna().unique().tolist()
    with workspace.reading() as con:
        scope, scope_params = scope_sql(user, "CAST(c.region AS VARCHAR)")
        if ids and scope != "TRUE" and "region" in data_columns(con, "customers"):
            con.register("_tw_due", pa.table({"customer_id": pa.array(ids, pa.string())}))
            kept = {
                r[0]
                for r in con.execute(
                    "SELECT d.customer_id FROM _tw_due d JOIN data.customers c "
                    f"ON CAST(c.customer_id AS VARCHAR) = d.customer_id WHERE {scope}",
                    scope_params,
                ).fetchall()
            }
            con.unregister("_tw_due")
            frame = frame[frame["customer_id"].isna() | frame["customer_id"].isin(kept)]
    counts = {str(k): int(v) for k, v in frame["kind"].value_counts().items()}
    return counts, [{str(k): v for k, v in r.items()} for r in frame.head(LISTED).to_dict("records")]


# audited actions that change nothing a dashboard shows
_UNSEEN = ("login", "logout", "password-set", "draft-saved", "draft-deleted", "run", "review-change", "review-undo")


def dashboard(workspace: Workspace, standard_id: str, user: User | None, *, day: dt.date | None = None) -> Dashboard:
    """The dashboard of ``standard_id`` for ``user`` (their regions only) on ``day`` (default today).

    Answers from the cache while the workspace is unchanged (same audit log, same day, same regions).
    """
    day = day or dt.date.today()
    with workspace.reading() as con:
        latest = con.execute(
            "SELECT max(p.as_of), arg_max(r.standard_text, p.as_of) FROM publications p JOIN runs r ON r.id = p.run_id "
            "WHERE p.standard_id = ? AND p.as_of <= ?",
            [standard_id, day],
        ).fetchone()
        if latest is None or latest[0] is None:
            raise NotFound(f"'{standard_id}' has no published grades by {day}; publish a run of it first.")
        key = (
            str(workspace.root),
            standard_id,
            day,
            last_change(con, _UNSEEN),
            tuple(user.regions) if user is not None and scoped(user) else None,  # what the user sees, not who
        )
        with _CACHE_LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
        standard = _parsed(latest[1], standard_id)
        query, query_params = _graded(con, standard, day, user)
        # the graded customers once (the join and the JSON values cost most), then every aggregate over them
        name = f"_tw_graded_{uuid.uuid4().hex}"
        con.register(name, con.sql(query, params=query_params).to_arrow_table())
        graded = f"SELECT * FROM {ident(name)}"
        params: list[Any] = []
        distribution, total = _distribution(con, graded, params, list(standard.grades))
        lorenz, gini = _lorenz(con, graded, params, total)
        before = _previous(con, standard_id, latest[0])
        migration = _migration(con, standard, before, day, user) if before is not None else []
        regions = _regions(con, graded, params)
        con.unregister(name)
    due_counts, due_items = _due(workspace, standard_id, user, day)
    pending = scoped_requests(workspace, user, status="pending", standard=standard_id)
    result = Dashboard(
        standard,
        day,
        latest[0],
        before,
        deciding_indicator(standard),
        total,
        distribution,
        lorenz,
        gini,
        migration,
        regions,
        due_counts,
        due_items,
        len(pending),
        pending[:LISTED],
    )
    with _CACHE_LOCK:
        _CACHE[key] = result
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return result
