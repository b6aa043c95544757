"""Immutable evaluation runs stored in a workspace, and the movement between two runs.

A run keeps the standard's text and hash, a fingerprint of every input table, the date,
who ran it and when, and every result row (the indicators as JSON). Runs are never
changed; the same standard on the same data and date gives identical rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from tierwise._messages import message
from tierwise._sql import ident, qualified
from tierwise.engine import deciding_candidates, evaluate, explain_decision, in_the_future, render_reason
from tierwise.spec import Standard, load_standard, loads_standard, parse_date
from tierwise.workspace._cache import input_fingerprints, materializer
from tierwise.workspace._errors import NotFound, Phrase
from tierwise.workspace._inforce import in_force, standard_hash
from tierwise.workspace._store import Workspace, WorkspaceError, data_columns

__all__ = [
    "Movement",
    "RunInfo",
    "data_age",
    "deciding_indicator",
    "decisions_table",
    "diff_runs",
    "evaluate_in",
    "explain_in",
    "get_run",
    "list_runs",
    "movement",
    "newest_data_day",
    "past_date",
    "reasons_in",
    "run_data_age",
    "run_on",
    "run_rows",
    "run_standard",
    "with_status",
]


@dataclass(frozen=True)
class RunInfo:
    """One stored run."""

    id: int
    at: dt.datetime
    user: str
    standard_id: str
    standard_version: str
    standard_hash: str
    as_of: dt.date
    customers: int
    inputs: dict[str, Any]
    warnings: tuple[str, ...] = ()  # values the standard's maps and rating scales do not list (on the new run)
    review: bool = False  # only the customers due for review (run --due): publishing it leaves the others as they are
    models: dict[str, Any] = dataclasses.field(default_factory=dict)  # fitted model parameters, by fit key
    draft: bool = False  # started from a draft, or of rules other than the standard in force when it ran
    published: bool = False
    stale: tuple[Phrase, ...] = ()  # why it is stale (its inputs changed, or a later publication): never published

    @property
    def state(self) -> str:
        """``published``, ``stale`` or ``pending`` (can be reviewed and published)."""
        return "published" if self.published else "stale" if self.stale else "pending"

    def stale_text(self, lang: str = "en") -> str:
        """Why the run is stale, in ``lang`` (empty when it is not)."""
        return ("；" if lang == "zh" else "; ").join(p.text(lang) for p in self.stale)


def _due_customers(con: Any, standard: Standard, day: dt.date, evaluated: pa.Array) -> pa.Array:
    """The customers due for review by ``day``: those whose provisional grade of ``standard`` has come to the end
    of its period, and those evaluated now who have no grade yet (new since the last publication)."""
    graded = {
        r[0]
        for r in con.execute(
            "SELECT customer_id FROM grades WHERE standard_id = ? AND valid_to IS NULL", [standard.id]
        ).fetchall()
    }
    new = [c for c in evaluated.to_pylist() if c not in graded] if graded else []
    provisional = standard.lifecycle.provisional if standard.lifecycle is not None else None
    if provisional is None or "created_at" not in data_columns(con, "customers"):
        return pa.array(new, pa.string())
    rows = con.execute(
        "SELECT g.customer_id FROM grades g JOIN data.customers c ON CAST(c.customer_id AS VARCHAR) = g.customer_id "
        "WHERE g.standard_id = ? AND g.valid_to IS NULL AND g.state = 'provisional' "
        "AND date_diff('day', CAST(c.created_at AS DATE), ?) >= ? ORDER BY 1",
        [standard.id, day, math.ceil(provisional.tenure_below.approx_days)],
    ).fetchall()
    return pa.array(sorted({r[0] for r in rows} | set(new)), pa.string())


def run_standard(
    workspace: Workspace,
    standard: str | Path | Standard,
    as_of: dt.date | str,
    *,
    lang: str = "zh",
    due: bool = False,
    draft: bool = False,
) -> RunInfo:
    """Evaluate ``standard`` on the workspace's data and store the run (one transaction).

    ``standard`` is a file, a loaded standard, or the id of a file in the workspace's
    ``standards/`` folder. With ``due``, the run keeps only the customers whose
    provisional period has ended by ``as_of`` (a review): publishing it confirms them
    and leaves every other customer's grade as it is. A run started from a draft (``draft``),
    or of rules other than the standard in force, is stored as a draft run: only a manager
    who confirms its rule diff can publish it.
    """
    loaded = _resolve(workspace, standard)
    day = past_date(as_of, "A run")
    workspace.check_access("run")
    with workspace.writing() as con:
        workspace.authorize(con, "run")
        inputs = input_fingerprints(con)
        if not inputs:
            raise WorkspaceError("The workspace has no data yet; import tables first (tierwise import TABLE FILE).")
        backend = ibis.duckdb.from_connection(con)
        tables = {name: backend.table(name, database="data") for name in inputs}
        result = evaluate(
            loaded,
            tables,
            day,
            lang=lang,
            con=backend,
            materialize=materializer(con, backend, inputs, store=True),
            previous=_previous_segments(con, loaded.id),
            profile=workspace_profile(workspace),
            explainable=True,
        )
        rows, decided = result.to_arrow(), result.decisions()
        if due:
            wanted = _due_customers(con, loaded, day, rows["customer_id"])
            rows = rows.filter(pc.is_in(rows["customer_id"], value_set=wanted))
            decided = decided.filter(pc.is_in(decided["customer_id"], value_set=wanted))
            if rows.num_rows == 0:
                raise WorkspaceError(
                    f"No provisional customer of '{loaded.id}' has come to the end of its period by {day}, and no "
                    f"new customer awaits a grade; nothing is due for review."
                )
        digest = standard_hash(loaded)
        force = in_force(con, workspace.standards, loaded.id)
        draft = draft or (force is not None and force.hash != digest)
        inserted = con.execute(
            'INSERT INTO runs ("at", "user", standard_id, standard_version, standard_hash, standard_text, standard_file, '
            "as_of, lang, inputs, customers, review, models, draft, dimensions) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [
                dt.datetime.now(),
                workspace.user(),
                loaded.id,
                loaded.version,
                digest,
                loaded.text,
                loaded.source,
                day,
                lang,
                json.dumps(inputs),
                rows.num_rows,
                due,
                json.dumps(result.models) if result.models else None,
                draft,
                json.dumps(list(result.compiled.dimensions)),
            ],
        ).fetchone()
        if inserted is None:  # pragma: no cover - RETURNING always gives the row
            raise WorkspaceError("The run could not be stored.")
        run_id = int(inserted[0])
        compiled = result.compiled
        values = [*compiled.indicators, *(d for d in compiled.dimensions if d not in compiled.indicators)]
        packed = ", ".join(f"{ident(c)} := {ident(c)}" for c in values)
        payload = f"to_json(struct_pack({packed}))" if values else "NULL"
        con.register("_tw_result", rows)
        con.execute(
            "INSERT INTO run_rows SELECT ?, customer_id, grade, grade_rank, reason, next_grade, gap_to_next, "
            f"{payload} FROM _tw_result",
            [run_id],
        )
        con.unregister("_tw_result")
        con.register("_tw_decided", decided)  # what explain reads, as the run decided it (typed, one column each)
        con.execute(f"CREATE TABLE {decisions_table(run_id)} AS SELECT * FROM _tw_decided")
        con.unregister("_tw_decided")
        workspace.audit(
            con,
            "run",
            loaded.id,
            {
                "run": run_id,
                "version": loaded.version,
                "as_of": day.isoformat(),
                "standard_hash": digest,
                "customers": rows.num_rows,
                "review": due,
                "draft": draft,
                "inputs": inputs,
                "warnings": result.warnings,
                **({"models": result.models} if result.models else {}),
            },
        )
        # read back inside the transaction: once committed, the run is reported as stored, never as busy
        info = _info(con.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", [run_id]).fetchall()[0])
    return dataclasses.replace(info, warnings=tuple(result.warnings))


def newest_data_day(workspace: Workspace) -> dt.date | None:
    """The day of the newest transaction (None without a dated transactions table): a run's natural as-of."""
    with workspace.reading() as con:
        if "date" not in data_columns(con, "transactions"):
            return None
        found = con.execute("SELECT max(CAST(date AS DATE)) FROM data.transactions").fetchall()[0][0]
    return found if isinstance(found, dt.date) else None


def standard_window_days(standard: Standard) -> int | None:
    """The longest window of the standard's indicators, in days (None when none has a window of time)."""
    days: list[float] = []
    for indicator in standard.indicators.values():
        window = indicator.window
        if window is not None and window.kind == "calendar_year":
            days.append(365.25)
        elif window is not None and window.duration is not None:
            days.append(window.duration.approx_days)
    return math.ceil(max(days)) if days else None


def data_age(workspace: Workspace, standard: Standard, as_of: dt.date) -> Phrase | None:
    """A note when ``as_of`` is later than the newest transaction by more than the standard's window."""
    newest = newest_data_day(workspace)
    window = standard_window_days(standard)
    if newest is None or window is None or (as_of - newest).days <= window:
        return None
    return Phrase("run.data_old", as_of=as_of, newest=newest, days=(as_of - newest).days, window=window)


def run_data_age(workspace: Workspace, run: RunInfo) -> Phrase | None:
    """:func:`data_age` of a stored run (its standard's window, its day)."""
    with workspace.reading() as con:
        text = con.execute("SELECT standard_text FROM runs WHERE id = ?", [run.id]).fetchall()[0][0]
    return data_age(workspace, loads_standard(text, file=f"<run {run.id}>", folder=workspace.standards), run.as_of)


def workspace_profile(workspace: Workspace) -> Path | None:
    """The workspace's customer profile (``profile.yaml`` beside tierwise.toml), if it has one."""
    path = workspace.root / "profile.yaml"
    return path if path.is_file() else None


def _previous_segments(con: Any, standard_id: str) -> dict[str, Any]:
    """The segments the latest run of ``standard_id`` found: a new run's are matched to them."""
    rows = con.execute(
        "SELECT models FROM runs WHERE standard_id = ? AND models IS NOT NULL ORDER BY id DESC LIMIT 1", [standard_id]
    ).fetchall()
    stored = json.loads(rows[0][0]) if rows else {}
    return {key: fit for key, fit in stored.items() if isinstance(fit, dict) and fit.get("kind") == "cluster"}


def past_date(value: dt.date | str, what: str) -> dt.date:
    """An evaluation date that is not in the future: grades are true as of a day that has happened."""
    day = parse_date(value)
    if (refused := in_the_future(day, what)) is not None:
        raise WorkspaceError(refused)
    return day


def _resolve(workspace: Workspace, standard: str | Path | Standard) -> Standard:
    if isinstance(standard, Standard):
        return standard
    path = Path(standard)
    if not path.is_file() and not path.suffix:
        candidate = workspace.standards / f"{standard}.yaml"
        if candidate.is_file():
            path = candidate
    return load_standard(path)


def _info(row: tuple[Any, ...]) -> RunInfo:
    run_id, at, user, sid, version, digest, as_of, customers, inputs, review, models, draft = row
    return RunInfo(
        int(run_id),
        at,
        user,
        sid,
        version,
        digest,
        as_of,
        int(customers),
        json.loads(inputs),
        review=bool(review),
        models=json.loads(models) if models else {},
        draft=bool(draft),
    )


_COLUMNS = (
    'id, "at", "user", standard_id, standard_version, standard_hash, as_of, customers, inputs, review, models, draft'
)


def with_status(con: Any, runs: list[RunInfo]) -> list[RunInfo]:
    """The runs with whether each is published, and why it is stale if it is (inside any transaction).

    A run is stale when an input table differs from the workspace's data now, or when a
    publication of its standard is as of its day or later (the grades in force already cover it).
    """
    now = input_fingerprints(con)
    published = con.execute('SELECT run_id, standard_id, as_of, "at" FROM publications ORDER BY "at"').fetchall()
    done = {int(r[0]) for r in published}
    out = []
    for run in runs:
        if run.id in done:
            out.append(dataclasses.replace(run, published=True, stale=()))
            continue
        reasons: list[Phrase] = []
        mine = [p for p in published if p[1] == run.standard_id and p[2] >= run.as_of]
        if mine:  # the latest publication already covers its day
            other, _, as_of, at = max(mine, key=lambda p: (p[2], p[3]))
            reasons.append(
                Phrase("run.stale.published", other=other, as_of=as_of, at=f"{at:%Y-%m-%d %H:%M}", day=run.as_of)
            )
        for table, then in sorted(run.inputs.items()):
            if table not in now:
                reasons.append(Phrase("run.stale.gone", table=table))
            elif now[table] != then:
                reasons.append(
                    Phrase("run.stale.data", table=table, then=f"{then['rows']:,}", now=f"{now[table]['rows']:,}")
                )
        out.append(dataclasses.replace(run, published=False, stale=tuple(reasons)))
    return out


def list_runs(workspace: Workspace) -> list[RunInfo]:
    """Every stored run, oldest first, each with its state (published, pending or stale, with why)."""
    with workspace.reading() as con:
        return with_status(con, [_info(r) for r in con.execute(f"SELECT {_COLUMNS} FROM runs ORDER BY id").fetchall()])


def get_run(workspace: Workspace, run_id: int) -> RunInfo:
    """One stored run with its state; a clear error when there is none with that number."""
    with workspace.reading() as con:
        found = run_on(con, run_id)
    if found is None:
        raise NotFound.said("error.no_run", id=run_id)
    return found


def run_on(con: Any, run_id: int) -> RunInfo | None:
    """One stored run with its state, read through ``con`` (inside any transaction); None when there is none."""
    row = con.execute(f"SELECT {_COLUMNS} FROM runs WHERE id = ?", [run_id]).fetchone()
    return with_status(con, [_info(row)])[0] if row is not None else None


def run_rows(workspace: Workspace, run_id: int) -> list[dict[str, Any]]:
    """The stored result rows of a run, by customer_id."""
    get_run(workspace, run_id)
    return workspace.records(
        'SELECT customer_id, grade, grade_rank, reason, next_grade, gap_to_next, "values" '
        "FROM run_rows WHERE run_id = ? ORDER BY customer_id",
        [run_id],
    )


@dataclass(frozen=True)
class Movement:
    """How customers moved from one grading to another (two runs, or published grades and a draft)."""

    before: str
    after: str
    matrix: dict[tuple[str | None, str | None], int]  # (grade before or None, grade after or None) -> customers
    grades: tuple[str, ...]  # every grade seen on either side, best first
    upgrades: int
    downgrades: int
    unchanged: int
    entries: int
    exits: int
    value: str | None = None  # the deciding amount of the later side, when there is one
    moved: dict[tuple[str | None, str | None], float] = field(default_factory=dict)  # its sum per cell


def movement(
    before: str, after: str, pairs: list[tuple[Any, ...]], order: Sequence[str], value: str | None = None
) -> Movement:
    """Count ``(grade before, grade after, customers, amount)`` pairs into a :class:`Movement`.

    ``order`` lists the grades best first (a grade not in it counts as unchanged).
    """
    rank = {grade: index for index, grade in enumerate(order)}
    matrix: dict[tuple[str | None, str | None], int] = {}
    moved: dict[tuple[str | None, str | None], float] = {}
    up = down = same = entries = exits = 0
    for grade_a, grade_b, count, amount in pairs:
        key = (grade_a, grade_b)
        matrix[key] = matrix.get(key, 0) + int(count)
        moved[key] = moved.get(key, 0.0) + float(amount or 0.0)
        if grade_a is None:
            entries += count
        elif grade_b is None:
            exits += count
        elif grade_a in rank and grade_b in rank and rank[grade_b] < rank[grade_a]:
            up += count
        elif grade_a in rank and grade_b in rank and rank[grade_b] > rank[grade_a]:
            down += count
        else:
            same += count
    seen = {g for pair in matrix for g in pair if g is not None}
    grades = tuple(sorted(seen, key=lambda g: (rank.get(g, len(rank)), g)))
    return Movement(before, after, matrix, grades, up, down, same, entries, exits, value, moved if value else {})


def deciding_indicator(standard: Standard) -> str | None:
    """The amount a grading is about: the first of the deciding candidates that is an indicator."""
    return next((name for name in deciding_candidates(standard) if name in standard.indicators), None)


def json_path(name: str | None) -> str:
    """The JSONPath of a key in the stored indicator values (any name; none gives a path that matches nothing)."""
    return "$." + json.dumps(name if name is not None else "", ensure_ascii=False)


def diff_runs(workspace: Workspace, before: int, after: int) -> Movement:
    """The transition matrix between two runs (customers and the later run's amount moved)."""
    get_run(workspace, before)
    get_run(workspace, after)
    with workspace.reading() as con:
        text = con.execute("SELECT standard_text FROM runs WHERE id = ?", [after]).fetchone()
        standard = loads_standard(text[0] if text else "", file=f"<run {after}>")
        value = deciding_indicator(standard)
        pairs = con.execute(
            """SELECT a.grade, b.grade, count(*), sum(TRY_CAST(json_extract_string(b."values", ?) AS DOUBLE))
               FROM (SELECT * FROM run_rows WHERE run_id = ?) a
               FULL OUTER JOIN (SELECT * FROM run_rows WHERE run_id = ?) b USING (customer_id)
               GROUP BY ALL""",
            [json_path(value), before, after],
        ).fetchall()
    return movement(f"run {before}", f"run {after}", pairs, standard.grades, value)


def _evaluate_on(
    con: Any,
    standard: Standard,
    day: dt.date,
    lang: str,
    *,
    reasons: bool,
    models: dict[str, Any] | None = None,
    profile: Path | None = None,
) -> Any:
    """The standard evaluated on the workspace's data tables through ``con`` (indicators from the cache when there).

    ``models``: a stored run's fitted model parameters, used instead of fitting again.
    """
    backend = ibis.duckdb.from_connection(con)
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'data' ORDER BY 1"
        ).fetchall()
    ]
    if not names:
        raise WorkspaceError("The workspace has no data yet; import tables first (tierwise import TABLE FILE).")
    tables = {name: backend.table(name, database="data") for name in names}
    cache = materializer(con, backend, input_fingerprints(con), store=False)
    return evaluate(
        standard,
        tables,
        day,
        lang=lang,
        con=backend,
        reasons=reasons,
        materialize=cache,
        models=models,
        profile=profile,
    )


def evaluate_in(
    workspace: Workspace, standard: str | Path | Standard, as_of: dt.date | str, *, lang: str = "zh"
) -> Any:
    """Evaluate on the workspace's data without storing anything (for a what-if)."""
    loaded = _resolve(workspace, standard)
    with workspace.reading() as con:
        return _evaluate_on(con, loaded, parse_date(as_of), lang, reasons=False, profile=workspace_profile(workspace))


def decisions_table(run_id: int) -> str:
    """The table of a run's decisions: every customer's row with the values explain reads."""
    return qualified("decisions", f"run_{int(run_id)}")


def reasons_in(
    con: Any, run_id: int | None, rows: Sequence[dict[str, Any]], lang: str | None, key: str = "reason"
) -> None:
    """Put each row's reason (``row[key]``, of customer ``row["customer_id"]`` in run ``run_id``) in ``lang``.

    A run stores its reasons in the language it ran in; for a reader of the other language
    each sentence is rendered from the decision the run stored, word for word what a run in
    that language writes. Rows of a run stored before decisions were kept, or read in the
    run's own language (or ``lang`` None), keep the stored sentence.
    """
    wanted = [row for row in rows if row.get(key) is not None]
    if lang is None or run_id is None or not wanted:
        return
    runs = con.execute("SELECT lang, standard_text, dimensions, models FROM runs WHERE id = ?", [run_id]).fetchall()
    found = runs[0] if runs else None
    if found is None or found[0] == lang or found[2] is None:
        return
    standard = loads_standard(found[1], file=f"<run {run_id}>")
    models = json.loads(found[3]) if found[3] else {}
    ids = [str(row["customer_id"]) for row in wanted]
    decided = con.sql(
        f"SELECT * FROM {decisions_table(run_id)} WHERE list_contains($ids, customer_id)", params={"ids": ids}
    ).to_arrow_table()
    sentences = {d["customer_id"]: render_reason(standard, d, lang, models) for d in decided.to_pylist()}
    for row in wanted:
        row[key] = sentences.get(str(row["customer_id"]), row[key])


def explain_in(workspace: Workspace, run_id: int, customer_id: str, *, lang: str = "zh", again: bool = False) -> Any:
    """Why the customer has its grade in a stored run, from the decisions the run stored.

    Returns the :class:`~tierwise.Explanation` (indicators, each step tried, gap to the
    next grade), rendered in ``lang`` from the run's stored row: the same whatever was
    imported since. ``again=True`` instead evaluates the run's rules again on the
    workspace's data for the run's date (a separate question: what the rules say now);
    a run stored by an older tierwise, without its decisions, can only be explained that
    way, and its explanation says so.
    """
    info = get_run(workspace, run_id)
    with workspace.reading() as con:
        text, dimensions = con.execute("SELECT standard_text, dimensions FROM runs WHERE id = ?", [run_id]).fetchall()[
            0
        ]
        standard = loads_standard(text, file=f"<run {run_id}>")
        if dimensions is not None and not again:
            query = con.sql(
                f"SELECT * FROM {decisions_table(run_id)} WHERE customer_id = $id", params={"id": customer_id}
            )
            found = query.to_arrow_table().to_pylist()  # the types the evaluation had: decimals, dates
            if not found:
                raise NotFound.said("error.not_in_run", id=customer_id, run=run_id)
            return explain_decision(standard, found[0], lang, json.loads(dimensions), info.models)
        evaluation = _evaluate_on(
            con, standard, info.as_of, lang, reasons=True, models=info.models, profile=workspace_profile(workspace)
        )
        try:
            explained = evaluation.explain(customer_id)
        except KeyError:  # not in the standard's population: a customer the run did not grade
            raise NotFound.said("error.not_in_run", id=customer_id, run=run_id) from None
        if again:
            return explained
        return dataclasses.replace(explained, note=message("run.evaluated_again", lang, run=run_id))
