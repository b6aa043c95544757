"""The ``tierwise`` command line (Typer + Rich). Uses the public API only.

Heavy modules (ibis, duckdb) are imported inside the commands, so ``--help`` is quick.
Every failure prints ``Error: ...`` and exits 1; ``--debug`` shows the traceback too.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from rich.table import Table

app = typer.Typer(
    name="tierwise",
    help="Customer tiering by declarative standards (客户分级分类): check, evaluate, explain, sql.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich's help formatter alone costs a --help about 0.2 s
)


class _Console:
    """rich's Console, made when first used: importing rich costs a ``--help`` a tenth of a second."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._made: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._made is None:
            from rich.console import Console

            self._made = Console(**self._options)
        return getattr(self._made, name)


def new_table(*args: Any, **options: Any) -> Table:
    """A rich Table (rich is imported when a command first prints one)."""
    from rich.table import Table

    return Table(*args, **options)


out: Any = _Console()
err: Any = _Console(stderr=True)
_state: dict[str, Any] = {"debug": False, "user": None, "password_stdin": False}
_stdin: list[str] = []


def stdin_line(what: str) -> str:
    """The next line of standard input (passwords for --password-stdin: yours first, then a new user's)."""
    if not _stdin:
        _stdin.extend(reversed(sys.stdin.read().splitlines()))
    if not _stdin:
        raise ValueError(f"--password-stdin was given, but standard input has no line for {what}.")
    return _stdin.pop()


_WORDS = {
    "zh": {
        "grade": "等级",
        "customers": "客户数",
        "share": "客户占比",
        "sum": "合计",
        "vshare": "占比",
        "title": "{name}（{id} v{version}），评估日 {as_of}",
        "total": "合计",
        "segments": "细分群画像（{at}，{fitted}）",
        "segment": "群中心",
        "mean": "均值",
        "moved": "中心移动",
        "matched": "已与上次评级的中心配对",
        "first_fit": "首次拟合",
        "without": "另有 {n:,} 位客户缺少某个值，取等级 {grade}",
    },
    "en": {
        "grade": "Grade",
        "customers": "Customers",
        "share": "Share",
        "sum": "total",
        "vshare": "share",
        "title": "{name} ({id} v{version}), as of {as_of}",
        "total": "Total",
        "segments": "Segments ({at}, {fitted})",
        "segment": "Centre",
        "mean": "mean",
        "moved": "Moved",
        "matched": "matched to the previous run's centres",
        "first_fit": "first fit",
        "without": "{n:,} more customers lack a value and took {grade}",
    },
}


def _version(value: bool) -> None:
    if value:
        import tierwise

        typer.echo(f"tierwise {tierwise.__version__}")  # plain: no rich for a version
        raise typer.Exit()


@app.callback()
def _main(
    debug: Annotated[bool, typer.Option("--debug", help="Show the full traceback of an error.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
    user: Annotated[
        str | None,
        typer.Option("--user", "-u", help="Act as this registered user (their password is asked for)."),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input (for scripts).")
    ] = False,
) -> None:
    _state.update(debug=debug, user=user, password_stdin=password_stdin)


DataOption = Annotated[
    Path | None,
    typer.Option("--data", "-d", help="Folder with one file per table: customers.csv, transactions.parquet, …"),
]
BackendOption = Annotated[
    str | None,
    typer.Option(
        "--backend",
        "-b",
        help="Grade where the data lives: postgres://user@host:port/db, spark:local, spark://host:7077, "
        "duckdb:///file.duckdb. Its tables are read in place (with spark, --data may name a Parquet folder).",
    ),
]
AsOfOption = Annotated[str, typer.Option("--as-of", help="Evaluation date, YYYY-MM-DD. Rows after it never count.")]
LangOption = Annotated[str, typer.Option("--lang", help="Language of reasons and tables: zh or en.")]


def _lang(value: str) -> str:
    if value not in ("zh", "en"):
        raise ValueError(f"--lang must be 'zh' or 'en'. Got '{value}' instead.")
    return value


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="Standard files to validate.")],
    data: Annotated[
        Path | None,
        typer.Option("--data", "-d", help="Also check names against this data folder's tables and columns."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date used when compiling against --data (default: today).")
    ] = None,
) -> None:
    """Validate standard files; print every problem with its file and line."""
    import tierwise

    problems: list[Any] = []
    for file in files:
        try:
            standard = tierwise.load_standard(file)
            if data is not None:
                tierwise.compiled_sql(standard, data, as_of)
        except tierwise.StandardError as exc:
            problems.extend(exc.problems)
            continue
        out.print(
            f"[green]✓[/green] {file}: {standard.name} ({standard.id} v{standard.version}), "
            f"{standard.grade.kind}, {len(standard.grades)} grades"
        )
    for problem in problems:
        err.print(f"[bold red]Error:[/bold red] {problem}", highlight=False, soft_wrap=True)
    if problems:
        err.print(f"{len(problems)} problem(s) found.")
        raise typer.Exit(1)


def _summary_table(result: Any, lang: str) -> Table:
    w = _WORDS[lang]
    standard = result.standard
    rows = result.summary().to_dict("records")
    value = rows[0]["value"] if rows else None
    table = new_table(
        title=w["title"].format(name=standard.name, id=standard.id, version=standard.version, as_of=result.as_of)
    )
    table.add_column(w["grade"])
    table.add_column(w["customers"], justify="right")
    table.add_column(w["share"], justify="right")
    if value:
        table.add_column(f"{value} {w['sum']}", justify="right")
        table.add_column(f"{value} {w['vshare']}", justify="right")
    for row in rows:
        cells = [str(row["grade"]), f"{row['customers']:,}", f"{row['customer_share']:.1%}"]
        if value:
            share = row["value_share"]
            cells += [f"{row['value_sum']:,.2f}".rstrip("0").rstrip("."), f"{share:.1%}" if share is not None else "—"]
        table.add_row(*cells)
    total = sum(r["customers"] for r in rows)
    footer = [w["total"], f"{total:,}", "100.0%" if total else "—"]
    if value:
        footer += [f"{sum(r['value_sum'] for r in rows):,.2f}".rstrip("0").rstrip("."), ""]
    table.add_row(*footer, style="bold")
    return table


def _segments_tables(result: Any, lang: str) -> list[Table]:
    """Each cluster grader's segments: size, share, the centre in words, the mean of each value."""
    w = _WORDS[lang]
    frame = result.segments()
    tables = []
    for (_, at), group in frame.groupby(["standard", "grader"], sort=False) if len(frame) else ():
        matched = group["moved"].notna().all()
        without = len(result) - int(group["customers"].sum()) if len(group) == len(frame) else 0
        table = new_table(
            title=w["segments"].format(at=at, fitted=w["matched" if matched else "first_fit"]),
            caption=w["without"].format(n=without, grade=result.standard.missing_grade) if without > 0 else None,
        )
        means = [c for c in group.columns if c.startswith("mean_")]
        for column in (w["grade"], w["segment"], w["customers"], w["share"]):
            table.add_column(column, justify="right" if column in (w["customers"], w["share"]) else "left")
        for column in means:
            table.add_column(f"{column.removeprefix('mean_')} {w['mean']}", justify="right")
        if matched:
            table.add_column(w["moved"], justify="right")
        for row in group.to_dict("records"):
            cells = [str(row["grade"]), str(row["name"]), f"{row['customers']:,}", f"{row['share']:.1%}"]
            cells += [f"{float(row[c]):,.2f}".rstrip("0").rstrip(".") for c in means]
            if matched:
                cells.append(f"{row['moved']:.2f}")
            table.add_row(*cells)
        tables.append(table)
    return tables


@contextlib.contextmanager
def _progress(first: str) -> Iterator[Callable[[str], None]]:
    """A spinner with elapsed time on stderr (only on a terminal); yields a function to update it."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        task = progress.add_task(first, total=None)
        yield lambda message: progress.update(task, description=message)


def _source(data: Path | None, backend: str | None) -> tuple[Any, Any, str]:
    """The data and the backend to grade on, and how to name them: --data, --backend or both."""
    import tierwise

    if backend is None:
        if data is None:
            raise ValueError("Give the data: --data FOLDER (one file per table), or --backend URL (a database).")
        return data, None, str(data)
    con = tierwise.connect_backend(backend)
    label = backend.split(":", 1)[0]
    return (con if data is None else data), con, (label if data is None else f"{data} on {label}")


def _run(standard: Path, data: Path | None, as_of: str, lang: str, backend: str | None = None) -> Any:
    """Load, compile and run with a progress display on stderr."""
    import tierwise

    with _progress(f"Loading {standard.name}…") as say:
        loaded = tierwise.load_standard(standard)
        source, con, where = _source(data, backend)
        say(f"Evaluating {loaded.id} on {where} as of {as_of}…")
        profile = data / "profile.yaml" if data is not None and (data / "profile.yaml").is_file() else None
        return tierwise.evaluate(loaded, data=source, as_of=as_of, lang=lang, con=con, profile=profile)


@app.command()
def evaluate(
    standard: Annotated[Path, typer.Argument(help="The standard file (.yaml).")],
    as_of: AsOfOption,
    data: DataOption = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write every customer's row to .csv, .parquet or .xlsx.")
    ] = None,
    lang: LangOption = "zh",
    backend: BackendOption = None,
) -> None:
    """Grade every customer; print grade counts and value shares, or write all rows."""
    lang = _lang(lang)
    started = time.perf_counter()
    result = _run(standard, data, as_of, lang, backend)
    elapsed = time.perf_counter() - started
    out.print(_summary_table(result, lang))
    for table in _segments_tables(result, lang):
        out.print(table)
    for warning in result.warnings:
        err.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    if output is not None:
        path = result.write(output)
        out.print(f"Wrote {len(result):,} rows to {path}")
    err.print(f"{len(result):,} customers graded in {elapsed:.2f}s", style="dim")


@app.command()
def explain(
    standard: Annotated[Path, typer.Argument(help="The standard file (.yaml).")],
    as_of: AsOfOption,
    customer: Annotated[str, typer.Option("--customer", "-c", help="The customer_id to explain.")],
    data: DataOption = None,
    lang: LangOption = "zh",
    backend: BackendOption = None,
) -> None:
    """Show why one customer has its grade: indicators, each step tried, the gap to the next grade."""
    lang = _lang(lang)
    result = _run(standard, data, as_of, lang, backend)
    try:
        explanation = result.explain(customer)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from exc
    out.print(str(explanation), highlight=False, soft_wrap=True)


@app.command()
def sql(
    standard: Annotated[Path, typer.Argument(help="The standard file (.yaml).")],
    data: Annotated[
        Path | None,
        typer.Option("--data", "-d", help="Use this data folder's real schema (default: inferred from the standard)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Evaluation date in the window filters (default: today).")
    ] = None,
    lang: LangOption = "zh",
    backend: BackendOption = None,
) -> None:
    """Print the SQL the standard compiles to: DuckDB's, or with --backend that database's on its tables."""
    import tierwise

    source = tierwise.connect_backend(backend) if backend is not None else data
    if backend is not None and data is not None:
        raise ValueError("Give --data or --backend to sql, not both: the SQL is for one place.")
    out.print(tierwise.compiled_sql(standard, source, as_of, lang=_lang(lang)), highlight=False, soft_wrap=True)


def main() -> None:
    """Entry point: run the app; turn every error into ``Error: ...`` and exit 1."""
    debug = "--debug" in sys.argv
    try:
        code = app(standalone_mode=False)  # returns the code of a typer.Exit instead of raising it
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err.print("Interrupted.")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the one error handler of the CLI
        if isinstance(exc, typer.TyperException) and hasattr(exc, "show"):  # usage errors: Typer prints them
            exc.show()
            sys.exit(0 if type(exc).__name__ == "NoArgsIsHelpError" else 1)
        if isinstance(exc, typer.Abort):
            sys.exit(1)
        if debug:
            err.print_exception()
        message = str(exc).strip() or type(exc).__name__
        if isinstance(exc, OSError) and exc.strerror:  # the disk or the file system, not tierwise
            where = f" ({exc.filename})" if exc.filename else ""
            message = f"{exc.strerror}{where}; nothing was changed. Check the path, the free space and your access."
        import tierwise

        if isinstance(exc, tierwise.StandardError) and len(exc.problems) > 1:
            message = f"{len(exc.problems)} problems:\n" + message
        err.print(f"[bold red]Error:[/bold red] {message}", highlight=False, soft_wrap=True)
        sys.exit(1)


standards_app = typer.Typer(
    help="The built-in standards: list them, print one, copy one to edit.",
    no_args_is_help=False,
    invoke_without_command=True,
    rich_markup_mode=None,
)
app.add_typer(standards_app, name="standards")


@standards_app.callback()
def _standards(ctx: typer.Context) -> None:
    """List the built-in standards (with no subcommand)."""
    if ctx.invoked_subcommand is not None:
        return
    import tierwise
    from tierwise.cli._listing import listing

    rows = []
    for standard_id in tierwise.builtin_ids():
        standard = tierwise.load_builtin(standard_id)
        rows.append((standard.id, standard.name, standard.grade.kind, " / ".join(standard.grades)))
    listing(("id", "name", "grader", "grades"), rows, title="Built-in standards / 内置分级标准")


@standards_app.command("show")
def standards_show(standard_id: Annotated[str, typer.Argument(metavar="ID", help="A built-in standard id.")]) -> None:
    """Print a built-in standard's file."""
    import tierwise

    try:
        path = tierwise.builtin_path(standard_id)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from exc
    out.print(path.read_text(encoding="utf-8"), highlight=False, markup=False, soft_wrap=True, end="")


@standards_app.command("copy")
def standards_copy(
    standard_id: Annotated[str, typer.Argument(metavar="ID", help="A built-in standard id.")],
    dest: Annotated[Path, typer.Argument(metavar="DEST.yaml", help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite DEST if it exists.")] = False,
) -> None:
    """Copy a built-in standard to a file you can edit."""
    import tierwise

    try:
        path = tierwise.builtin_path(standard_id)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from exc
    if dest.suffix.lower() not in (".yaml", ".yml"):
        raise ValueError(f"The copy must be a .yaml file. Got '{dest.name}' instead.")
    if dest.exists() and not force:
        raise ValueError(f"{dest} already exists; choose another name or add --force to overwrite it.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    out.print(f"Copied {standard_id} to {dest}. Check your edits with: tierwise check {dest}")


@app.command()
def demo(
    folder: Annotated[Path, typer.Argument(metavar="[DIR]", help="Where to write the data and results.")] = Path(
        "tierwise-demo"
    ),
    customers: Annotated[int, typer.Option("--customers", min=1, help="How many customers to generate.")] = 6000,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generator (same seed, same data).")] = 20260331,
    lang: LangOption = "zh",
) -> None:
    """Grade generated B2B customers and the real CDNow log with every built-in standard."""
    import tierwise

    lang = _lang(lang)
    started = time.perf_counter()
    with _progress("Starting…") as say:
        report = tierwise.run_demo(folder, customers=customers, seed=seed, lang=lang, progress=say)
    w = _DEMO_WORDS[lang]
    for section in report.sections:
        standard = section.evaluation.standard
        title = f"{standard.name} ({standard.id}) · {w[section.dataset]} · {w['as_of']} {section.evaluation.as_of}"
        table = new_table(title=title, title_justify="left")
        for column, justify in (
            (w["grade"], "left"),
            (w["customers"], "right"),
            (w["share"], "right"),
            (w["sales"], "right"),
        ):
            table.add_column(column, justify=justify)  # type: ignore[arg-type]
        for row in section.rows:
            share = row["sales_share"]
            table.add_row(
                str(row["grade"]),
                f"{row['customers']:,}",
                f"{row['customer_share']:.1%}",
                f"{share:.1%}" if share is not None else "—",
            )
        out.print(table)
    out.print(
        f"{w['wrote']} {report.folder}/: {len(report.sections)} CSV, {report.workbook.name}, "
        f"{w['data']} {report.data_folder.name}/"
    )
    if report.pack is not None:
        out.print(f"{w['pack']} {report.pack} ({w['workspace']} {report.workspace})")
    if report.users:
        _print_demo_users(report, lang)
    err.print(f"{len(report.sections)} evaluations in {time.perf_counter() - started:.1f}s", style="dim")


def _print_demo_users(report: Any, lang: str) -> None:
    """How to open the demo workspace in the browser, and its users with their passwords (shown this once)."""
    import shlex

    from tierwise.workspace import role_label

    zh = lang == "zh"
    out.print(
        ("在浏览器中打开演示工作区：" if zh else "Open the demo workspace in the browser:")
        + f"\n  tierwise serve --workspace {shlex.quote(str(report.workspace))}\n  "
        + (
            "然后访问 http://127.0.0.1:8000 ，用下列用户登录（密码只显示这一次）："
            if zh
            else "then go to http://127.0.0.1:8000 and sign in as one of these users (the passwords are shown only now):"
        ),
        highlight=False,
    )
    table = new_table()
    for column in ("用户名", "密码", "角色", "区域") if zh else ("user", "password", "role", "regions"):
        table.add_column(column)
    for user in report.users:
        table.add_row(
            user.name, user.password, role_label(user.role, lang), ", ".join(user.regions) or ("全部" if zh else "all")
        )
    out.print(table)


_DEMO_WORDS = {
    "zh": {
        "demo": "示例企业数据",
        "cdnow": "CDNow 真实购买记录",
        "as_of": "评估日",
        "grade": "等级",
        "customers": "客户数",
        "share": "客户占比",
        "sales": "近12个月销售额占比",
        "wrote": "已写出",
        "data": "数据在",
        "pack": "报表包（两次年度发布，含图表）：",
        "workspace": "工作区",
    },
    "en": {
        "demo": "generated B2B data",
        "cdnow": "CDNow purchase log",
        "as_of": "as of",
        "grade": "Grade",
        "customers": "Customers",
        "share": "Share",
        "sales": "Share of 12-month sales",
        "wrote": "Wrote",
        "data": "data in",
        "pack": "Report pack (two yearly publications, with charts):",
        "workspace": "workspace",
    },
}
