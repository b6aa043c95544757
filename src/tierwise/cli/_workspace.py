"""Workspace and lifecycle commands: init, import, run, publish, approvals, history, audit."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    pass

from tierwise.cli._app import AsOfOption, LangOption, _lang, _progress, _state, app, err, new_table, out, stdin_line
from tierwise.cli._listing import OutputOption, listing

WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="The workspace (default: this folder or the nearest parent that is one)."),
]


def _workspace(path: Path | None) -> Any:
    """The workspace, acting as the OS login or, with --user, as that user once their password is checked."""
    import getpass
    import sys

    import tierwise

    ws = tierwise.Workspace(path) if path is not None else tierwise.Workspace.find()
    name = _state["user"]
    if name is None:
        return ws
    password: str | None = None
    if _state["password_stdin"]:
        password = stdin_line(f"the password of '{name}'")
    elif name.strip().lower() != getpass.getuser().lower():
        if not sys.stdin.isatty():
            raise ValueError(f"Acting as '{name}' needs their password: pass it with --password-stdin.")
        password = typer.prompt(f"Password for {name}", hide_input=True)
    return ws.as_user(name, password)


@app.command()
def init(folder: Annotated[Path, typer.Argument(metavar="DIR", help="A new or empty folder.")]) -> None:
    """Create a workspace: a DuckDB store, a standards/ folder and tierwise.toml."""
    import tierwise

    workspace = tierwise.Workspace.init(folder)
    out.print(f"Created the workspace {workspace.root} (store {workspace.database.name}, standards in standards/).")


@app.command("import")
def import_(
    table: Annotated[
        str, typer.Argument(help="The table: customers, transactions, payments, opportunities, assessments, …")
    ],
    file: Annotated[Path, typer.Argument(help="A .csv (UTF-8 or GBK), .xlsx/.xls or .parquet file.")],
    mapping: Annotated[
        Path | None,
        typer.Option(
            "--map", help="YAML mapping the file's headers to columns (客户编号: customer_id); saved for the table."
        ),
    ] = None,
    mode: Annotated[
        str, typer.Option("--mode", help="append (default) or replace: replace deletes the table's rows first.")
    ] = "append",
    allow_bad_rows: Annotated[
        bool, typer.Option("--allow-bad-rows", help="Import the good rows; keep the bad ones in quarantine.")
    ] = False,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="The Excel sheet (name or number, default the first).")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Replace without asking (with --mode replace).")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Import a file into a workspace table (appended by default): all of it, or nothing, with every bad row reported."""
    import tierwise

    ws = _workspace(workspace)
    lost = tierwise.workspace.replacement(ws, table) if mode == "replace" else None
    if lost is not None:
        out.print(lost.text("en"), highlight=False)
        if not yes and not typer.confirm(f"Replace '{table}'?", default=False):
            out.print("Nothing was imported.")
            raise typer.Exit(1)
    chosen: str | int = int(sheet) - 1 if sheet is not None and sheet.isdigit() else (sheet or 0)
    bar = _ImportBar(file.name)
    try:
        result = tierwise.import_file(
            ws, table, file, mapping=mapping, mode=mode, allow_bad_rows=allow_bad_rows, sheet=chosen, progress=bar
        )
    except tierwise.ImportRefused as exc:
        bar.close()
        for problem in exc.problems[:10]:
            err.print(f"  {problem}", highlight=False, markup=False)
        if len(exc.problems) > 10:
            err.print(f"  … and {len(exc.problems) - 10:,} more")
        raise
    bar.close()
    seconds = bar.elapsed()
    rate = f" in {seconds:.1f} s ({result.rows / seconds:,.0f} rows/s)" if seconds >= 1 else ""
    out.print(f"Imported {result.rows:,} rows into '{result.table}' ({result.mode}){rate}.")
    if result.mapping:
        out.print("Columns mapped: " + ", ".join(f"{k} → {v}" for k, v in result.mapping.items()), highlight=False)
    if result.units:
        out.print("Units applied: " + ", ".join(f"{k}: ×{v}" for k, v in result.units.items()), highlight=False)
    if result.unmapped:
        out.print(
            f"Columns kept under their own name ({len(result.unmapped)}; map them with --map if a standard needs "
            f"them): " + ", ".join(result.unmapped),
            highlight=False,
        )
    if result.bad_rows:
        out.print(f"{result.bad_rows:,} bad rows kept in quarantine; every problem is in {result.report}.")


class _ImportBar:
    """A progress bar on stderr for imports that take more than a second (only on a terminal)."""

    def __init__(self, file: str) -> None:
        import time

        self.file, self.started = file, time.monotonic()
        self.bar: Any = None
        self.task: Any = None
        self.steps = {"read": "Reading {file}", "check": "Checking columns", "write": "Writing the table"}

    def elapsed(self) -> float:
        import time

        return time.monotonic() - self.started

    def __call__(self, step: str, done: int, total: int, rows: int) -> None:
        if self.bar is None:
            if not err.is_terminal or self.elapsed() < 1.0:
                return
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("", total=None)
        description = self.steps[step].format(file=self.file)
        if rows:
            description += f" ({rows:,} rows, {rows / self.elapsed():,.0f} rows/s)"
        self.bar.update(self.task, description=description, completed=done, total=max(total, 1))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


@app.command()
def tables(workspace: WorkspaceOption = None) -> None:
    """List the workspace's tables and their rows."""
    ws = _workspace(workspace)
    table = new_table(title=f"{ws.root}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in ws.tables().items():
        table.add_row(name, f"{count:,}")
    out.print(table)


@app.command()
def audit(
    customer: Annotated[str | None, typer.Option("--customer", "-c", help="Only records about this customer.")] = None,
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Show the append-only audit log: who did what, when and why."""
    ws = _workspace(workspace)
    columns = ("#", "when", "who", "action", "subject", "detail", "why")
    rows = [
        (r["id"], f"{r['at']:%Y-%m-%d %H:%M:%S}", r["user"], r["action"], r["subject"], r["detail"], r["why"])
        for r in ws.audit_records(customer)
    ]
    listing(columns, rows, title=f"Audit log · {ws.root}", output=output)


@app.command()
def run(
    standard: Annotated[
        str, typer.Argument(help="A standard file, or the id of one in the workspace's standards/ folder.")
    ],
    as_of: AsOfOption,
    due: Annotated[
        bool,
        typer.Option(
            "--due",
            help="Only the customers whose provisional period has ended: grade them, show the impact, ask, and "
            "publish them as a review.",
        ),
    ] = False,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="With --due: publish the review without asking, once the impact is printed."),
    ] = False,
    lang: LangOption = "zh",
    workspace: WorkspaceOption = None,
) -> None:
    """Evaluate a standard on the workspace's data and store the run, unchangeable (--due: a review, published)."""
    import tierwise.lifecycle as lc
    import tierwise.workspace as tw

    ws = _workspace(workspace)
    with _progress(f"Running {standard} as of {as_of}…"):
        info = tw.run_standard(ws, standard, as_of, lang=_lang(lang), due=due)
    out.print(
        f"Run {info.id}: {info.standard_id} v{info.standard_version} as of {info.as_of}, "
        f"{info.customers:,} customers graded (standard {info.standard_hash[:12]})"
        + (", the customers due for review." if due else ".")
    )
    if due:
        _print_impact(lc.publish_impact(ws, info.id), info)
        if not yes and not typer.confirm(f"Publish run {info.id} as a review?", default=False):
            out.print(f"Nothing was published; run {info.id} is stored: 'tierwise publish {info.id}' publishes it.")
            raise typer.Exit(1)
        published = lc.publish(ws, info.id)
        states = ", ".join(f"{state} {count:,}" for state, count in published.states.items())
        out.print(f"Published run {info.id} as a review: {states}; every other customer keeps its grade.")
    note = tw.run_data_age(ws, info)
    for warning in [*info.warnings, *([note.text("en")] if note is not None else [])]:
        err.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False, soft_wrap=True)


@app.command()
def runs(output: OutputOption = None, workspace: WorkspaceOption = None) -> None:
    """List the stored runs."""
    import tierwise.workspace as tw

    ws = _workspace(workspace)
    columns = ("run", "when", "who", "standard", "version", "as of", "customers", "standard hash", "state", "why")
    rows = [
        (
            i.id,
            f"{i.at:%Y-%m-%d %H:%M}",
            i.user,
            i.standard_id,
            i.standard_version,
            i.as_of,
            i.customers,
            i.standard_hash[:12],
            i.state + (" (draft)" if i.draft else ""),
            i.stale_text("en"),
        )
        for i in tw.list_runs(ws)
    ]
    listing(columns, rows, title=f"Runs · {ws.root}", output=output)


@app.command()
def show(
    run_id: Annotated[int, typer.Argument(metavar="RUN", help="The run number ('tierwise runs' lists them).")],
    customer: Annotated[str | None, typer.Option("--customer", "-c", help="Show this customer's stored row.")] = None,
    explain: Annotated[
        bool,
        typer.Option(
            "--explain",
            help="With --customer: why the run gave its grade, from what the run stored (not today's data).",
        ),
    ] = False,
    again: Annotated[
        bool, typer.Option("--again", help="With --explain: evaluate the run's rules again on today's data instead.")
    ] = False,
    lang: Annotated[str, typer.Option("--lang", help="Language of the explanation: zh or en.")] = "zh",
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Show a stored run: its inputs and grades per grade, or one customer's row (-o: every row to a file)."""
    import tierwise.workspace as tw

    ws = _workspace(workspace)
    if explain or again:
        if customer is None:
            raise ValueError("--explain explains one customer of the run: add --customer ID.")
        if lang not in ("zh", "en"):
            raise ValueError(f"--lang is zh or en, not '{lang}'.")
        out.print(str(tw.explain_in(ws, run_id, customer, lang=lang, again=again)), highlight=False, soft_wrap=True)
        return
    info = tw.get_run(ws, run_id)
    rows = tw.run_rows(ws, run_id)
    if output is not None:
        columns = tuple(rows[0]) if rows else ("customer_id", "grade")
        listing(columns, [[r[c] for c in columns] for r in rows], output=output)
        return
    out.print(
        f"Run {info.id}: {info.standard_id} v{info.standard_version} as of {info.as_of}, by {info.user} at "
        f"{info.at:%Y-%m-%d %H:%M:%S}; standard {info.standard_hash[:12]}; inputs "
        + ", ".join(f"{name} ({meta['rows']:,} rows, {meta['hash']})" for name, meta in info.inputs.items()),
        highlight=False,
    )
    if customer is not None:
        found = [r for r in rows if r["customer_id"] == customer]
        if not found:
            raise ValueError(f"Customer '{customer}' is not in run {run_id}.")
        for key, value in found[0].items():
            out.print(f"  {key}: {value}", highlight=False)
        return
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["grade"]] = counts.get(row["grade"], 0) + 1
    table = new_table()
    table.add_column("grade")
    table.add_column("customers", justify="right")
    for grade, count in sorted(
        counts.items(), key=lambda item: next((r["grade_rank"] for r in rows if r["grade"] == item[0]), 0) or 0
    ):
        table.add_row(str(grade), f"{count:,}")
    out.print(table)


@app.command()
def diff(
    before: Annotated[int, typer.Argument(metavar="RUN_A", help="The earlier run.")],
    after: Annotated[int, typer.Argument(metavar="RUN_B", help="The later run.")],
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """The transition matrix between two runs: upgrades, downgrades, entries, exits."""
    import tierwise.workspace as tw

    _print_movement(tw.diff_runs(_workspace(workspace), before, after), output)


def _print_movement(movement: Any, output: Path | None = None) -> None:
    """The transition matrix: customers per cell, and the amount moved where there is one (-o: one row a cell)."""
    if output is not None:
        moved = [(a, b, count, movement.moved.get((a, b))) for (a, b), count in movement.matrix.items()]
        listing((movement.before, movement.after, "customers", movement.value or "amount"), moved, output=output)
        return
    grades_a = [g for g in movement.grades if any(a == g for a, _ in movement.matrix)]
    grades_b = [g for g in movement.grades if any(b == g for _, b in movement.matrix)]
    table = new_table(title=f"{movement.before} → {movement.after}")
    table.add_column(f"{movement.before} \\ {movement.after}")
    for grade in [*grades_b, "(exit)"]:
        table.add_column(grade, justify="right")
    for grade in [*grades_a, "(entry)"]:
        key = None if grade == "(entry)" else grade
        cells = []
        for target in [*grades_b, None]:
            count = movement.matrix.get((key, target), 0)
            amount = movement.moved.get((key, target))
            shown = f"{count:,}" if count else "·"
            if count and amount:
                shown += f"\n{amount:,.0f}"
            cells.append(shown)
        table.add_row(grade, *cells)
    out.print(table)
    if movement.value:
        out.print(f"(second line of a cell: {movement.value} of the later side)", style="dim")
    out.print(
        f"upgrades {movement.upgrades:,}, downgrades {movement.downgrades:,}, unchanged {movement.unchanged:,}, "
        f"entries {movement.entries:,}, exits {movement.exits:,}"
    )


@app.command()
def simulate(
    draft: Annotated[
        Path, typer.Argument(metavar="DRAFT.yaml", help="A draft standard (same id as the published one).")
    ],
    as_of: Annotated[str | None, typer.Option("--as-of", help="Default: the latest publication's date.")] = None,
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """What a rule change would do: the draft against the published grades. Stores nothing."""
    import tierwise.lifecycle as lc

    _print_movement(lc.simulate(_workspace(workspace), draft, as_of), output)


def _date(text: str | None, what: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{what} must be a date like 2026-03-31. Got '{text}' instead.") from exc


StandardIdOption = Annotated[str, typer.Option("--standard", "-s", help="The standard's id.")]
ReasonOption = Annotated[str, typer.Option("--reason", "-r", help="Why: recorded in the audit log and the history.")]


@app.command()
def publish(
    run_id: Annotated[int, typer.Argument(metavar="RUN")],
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Publish without asking, once the impact is printed.")
    ] = False,
    accept_rules: Annotated[
        bool,
        typer.Option(
            "--accept-rules",
            help="Publish a draft run (its rules differ from the standard in force): you have read its rule diff.",
        ),
    ] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Show what publishing a run does (moves, value, entitlements), ask, then publish it with the lifecycle."""
    import tierwise.lifecycle as lc
    import tierwise.workspace as tw

    ws = _workspace(workspace)
    info = tw.get_run(ws, run_id)
    if info.stale:
        raise tw.Refused("publish.stale", run=run_id, standard=info.standard_id, why=list(info.stale))
    _print_impact(lc.publish_impact(ws, run_id), info)
    rules = lc.rule_change(ws, run_id)
    if rules.needs_confirmation:
        out.print(f"Run {run_id} is a draft run: its rules differ from the standard in force ({rules.source}).")
        if rules.diff:
            out.print(rules.diff, highlight=False, markup=False)
    if not yes:  # asked on the terminal (or read from stdin); --yes skips the question
        if not typer.confirm(f"Publish run {run_id}?", default=False):
            out.print("Nothing was published.")
            raise typer.Exit(1)
        if rules.needs_confirmation and not accept_rules:
            accept_rules = typer.confirm("Publish it with these rules?", default=False)
    result = lc.publish(ws, run_id, accept_rules=accept_rules)
    states = ", ".join(f"{state} {count:,}" for state, count in sorted(result.states.items()))
    out.print(
        f"Published run {run_id} of {result.standard_id} as of {result.as_of}: {states}; "
        f"{result.changed:,} grades changed, {result.applications:,} upgrade applications opened, "
        f"{result.expired_overrides:,} overrides expired."
    )


def _print_impact(impact: Any, info: Any) -> None:
    """The impact summary of a publication: customers per outcome, the value moved, the entitlements that change."""
    from tierwise._messages import message

    table = new_table(title=f"What publishing run {impact.run_id} ({impact.standard_id} as of {info.as_of}) does")
    table.add_column("outcome")
    table.add_column("customers", justify="right")
    if impact.value:
        table.add_column(impact.value, justify="right")
    for outcome, count in impact.counts.items():
        amount = impact.moved.get(outcome)
        cells = [message(f"impact.outcome.{outcome}", "en"), f"{count:,}"]
        table.add_row(*cells, *([f"{amount:,.0f}" if amount is not None else ""] if impact.value else []))
    table.add_row(message("impact.exits", "en"), f"{impact.exits:,}", *([""] if impact.value else []))
    out.print(table)
    if impact.entitlements:
        changes = new_table(title="Entitlements that change (the standard's policies)")
        for column in ("entitlement", "before", "after", "customers"):
            changes.add_column(column, justify="right" if column == "customers" else "left")
        for e in impact.entitlements:
            changes.add_row(e.policy, e.before or "—", e.after or "—", f"{e.customers:,}")
        out.print(changes)
    out.print(
        f"The customers behind each number: 'tierwise show {impact.run_id}' and the web review page.", style="dim"
    )


@app.command()
def adopt(
    standard: Annotated[str, typer.Argument(metavar="STANDARD", help="The id of a standard with a saved draft.")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="Why: kept in the audit log with the rule diff.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Adopt without asking, once the diff is printed.")] = False,
    workspace: WorkspaceOption = None,
) -> None:
    """Make the saved draft of a standard the standard in force (a manager's act, audited with the rule diff)."""
    import difflib

    import tierwise.workspace as tw

    ws = _workspace(workspace)
    draft = tw.draft_standard(ws, standard)
    try:
        before = tw.current_standard(ws, standard).text
    except tw.Refused:
        before = ""
    diff = "".join(difflib.unified_diff(before.splitlines(True), draft.text.splitlines(True), "in force", "draft"))
    out.print(diff or "The draft is the same as the standard in force.", highlight=False, markup=False)
    if not yes and not typer.confirm(f"Adopt the draft of '{standard}' as the standard in force?", default=False):
        out.print("Nothing was adopted.")
        raise typer.Exit(1)
    tw.adopt_draft(ws, standard, reason)
    out.print(f"The draft of '{standard}' is now the standard in force; runs of it are no draft runs.")


@app.command()
def override(
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER")],
    grade: Annotated[str, typer.Argument(metavar="GRADE")],
    standard: StandardIdOption,
    reason: ReasonOption,
    until: Annotated[str, typer.Option("--until", help="Last day of the override, like 2026-12-31.")],
    workspace: WorkspaceOption = None,
) -> None:
    """Request a special approval (特批): a grade for a customer until a date; another user approves it."""
    import tierwise.lifecycle as lc

    end = _date(until, "--until")
    assert end is not None
    request_id = lc.request_override(_workspace(workspace), standard, customer, grade, reason, end)
    out.print(f"Override request {request_id}: {customer} → {grade} until {end}; waiting for another user's approval.")


@app.command()
def approve(
    request_id: Annotated[int, typer.Argument(metavar="REQUEST")],
    reason: Annotated[str | None, typer.Option("--reason", "-r")] = None,
    override_evaluation: Annotated[
        bool,
        typer.Option(
            "--override-evaluation",
            help="Approve an upgrade above the latest evaluation; it is recorded as a special approval (特批).",
        ),
    ] = False,
    until: Annotated[
        str | None, typer.Option("--until", help="With --override-evaluation: the 特批's last day, like 2026-12-31.")
    ] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Approve an override request or an upgrade application (shown beside the latest evaluation by 'requests')."""
    import tierwise.lifecycle as lc

    lc.decide_request(
        _workspace(workspace),
        request_id,
        approve=True,
        why=reason,
        override_evaluation=override_evaluation,
        until=_date(until, "--until"),
    )
    out.print(f"Request {request_id} approved.")


@app.command()
def reject(
    request_id: Annotated[int, typer.Argument(metavar="REQUEST")],
    reason: ReasonOption,
    workspace: WorkspaceOption = None,
) -> None:
    """Reject an override request or an upgrade application."""
    import tierwise.lifecycle as lc

    lc.decide_request(_workspace(workspace), request_id, approve=False, why=reason)
    out.print(f"Request {request_id} rejected.")


@app.command("requests")
def requests_(
    status: Annotated[
        str | None, typer.Option("--status", help="pending, approved, rejected, expired or closed.")
    ] = None,
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """List override requests and upgrade applications."""
    import tierwise.lifecycle as lc

    columns = ["#", "kind", "standard", "customer", "grade", "now", "evaluated", "until", "by", "status"]
    columns += ["decided by", "why"]
    keys = ["id", "kind", "standard_id", "customer_id", "grade", "current_grade", "evaluated_grade", "until"]
    keys += ["requested_by", "status", "decided_by", "why"]
    listing(columns, [[r[k] for k in keys] for r in lc.requests(_workspace(workspace), status)], output=output)


@app.command()
def cancel(
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER")],
    standard: StandardIdOption,
    reason: ReasonOption,
    workspace: WorkspaceOption = None,
) -> None:
    """Cancel a customer's grade (取消资格) until reinstated."""
    import tierwise.lifecycle as lc

    lc.cancel(_workspace(workspace), standard, customer, reason)
    out.print(f"{customer} is cancelled for {standard}.")


@app.command()
def reinstate(
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER")],
    standard: StandardIdOption,
    reason: ReasonOption,
    workspace: WorkspaceOption = None,
) -> None:
    """Give a cancelled customer back its latest evaluated grade."""
    import tierwise.lifecycle as lc

    lc.reinstate(_workspace(workspace), standard, customer, reason)
    out.print(f"{customer} is reinstated for {standard}.")


@app.command()
def history(
    customer: Annotated[str, typer.Argument(metavar="CUSTOMER")],
    standard: Annotated[str | None, typer.Option("--standard", "-s")] = None,
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Every grade a customer had, from when to when, and why."""
    import tierwise.lifecycle as lc

    rows = lc.history(_workspace(workspace), customer, standard)
    if not rows:
        raise ValueError(f"Customer '{customer}' has no published grade yet.")
    columns = ("standard", "grade", "state", "from", "to", "evaluated", "run", "why")
    keys = ("standard_id", "grade", "state", "valid_from", "valid_to", "evaluated", "run_id", "why")
    listing(columns, [[r[k] for k in keys] for r in rows], title=customer, output=output)


@app.command()
def grades(
    standard: StandardIdOption,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Default: today.")] = None,
    output: OutputOption = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Everyone's published grade on a date (all rows with -o FILE, or piped)."""
    import tierwise.lifecycle as lc

    day = _date(as_of, "--as-of") or dt.date.today()
    rows = [(c, g, state) for c, (g, state) in lc.grades_on(_workspace(workspace), standard, day).items()]
    listing(("customer", "grade", "state"), rows, title=f"{standard} · {day}", output=output)
