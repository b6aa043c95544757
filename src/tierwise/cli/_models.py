"""``tierwise model fit`` and ``tierwise model show``: customer-base models from the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    pass

from ._app import AsOfOption, BackendOption, DataOption, LangOption, _lang, _progress, _source, app, err, new_table, out

model_app = typer.Typer(
    help="Customer-base models (BG/NBD, Pareto/NBD, Gamma-Gamma): fit one, show a fit.", rich_markup_mode=None
)
app.add_typer(model_app, name="model")

_WORDS = {
    "zh": {
        "param": "参数",
        "value": "估计值",
        "se": "标准误",
        "ll": "对数似然 {ll:.2f}，{n:,} 名客户，{it:,} 次迭代",
        "holdout": "校准期/验证期（至 {until}）",
        "x": "校准期重复购买",
        "customers": "客户数",
        "actual": "验证期实际平均",
        "expected": "模型预测平均",
        "calibration": "校准期 {start} 至 {end}：{n:,} 名客户，其中 {rep:,} 名有重复购买",
    },
    "en": {
        "param": "Parameter",
        "value": "Estimate",
        "se": "Std. error",
        "ll": "log-likelihood {ll:.2f}, {n:,} customers, {it:,} iterations",
        "holdout": "Calibration vs holdout (to {until})",
        "x": "Repeat purchases in calibration",
        "customers": "Customers",
        "actual": "Actual mean in holdout",
        "expected": "Predicted mean",
        "calibration": "Calibration {start} to {end}: {n:,} customers, {rep:,} with a repeat purchase",
    },
}


def _print(record: dict[str, Any], lang: str) -> None:
    w = _WORDS[lang]
    calibration = record["calibration"]
    out.print(
        w["calibration"].format(
            start=calibration["from"] or "…", end=calibration["to"], n=record["customers"], rep=record["repeat_buyers"]
        )
    )
    for key in ("purchases", "spend"):
        fit = record.get(key)
        if not fit:
            continue
        from tierwise.models import LABELS

        table = new_table(title=LABELS.get(fit["model"], fit["model"]))
        for head in (w["param"], w["value"], w["se"]):
            table.add_column(head, justify="right")
        for name, value in fit["params"].items():
            se = fit["se"].get(name, math.nan)
            table.add_row(name, f"{value:.4f}", "—" if math.isnan(se) else f"{se:.4f}")
        table.caption = w["ll"].format(ll=fit["log_likelihood"], n=fit["customers"], it=fit.get("iterations", 0))
        out.print(table)
    holdout = record.get("holdout")
    if holdout:
        table = new_table(title=w["holdout"].format(until=record["holdout_to"]))
        for head in (w["x"], w["customers"], w["actual"], w["expected"]):
            table.add_column(head, justify="right")
        for row in holdout:
            table.add_row(row["frequency"], f"{row['customers']:,}", f"{row['actual']:.3f}", f"{row['expected']:.3f}")
        out.print(table)


@model_app.command("fit")
def fit(
    as_of: AsOfOption,
    data: DataOption = None,
    model: Annotated[
        str, typer.Option("--model", "-m", help="bgnbd, pnbd, gammagamma, bgnbd+gammagamma or pnbd+gammagamma.")
    ] = "bgnbd+gammagamma",
    start: Annotated[str | None, typer.Option("--from", help="Leave out purchases on or before this day.")] = None,
    holdout_to: Annotated[
        str | None,
        typer.Option("--holdout-to", help="Compare with the purchases after --as-of up to this day (holdout)."),
    ] = None,
    table: Annotated[str, typer.Option("--table", help="The table of purchases.")] = "transactions",
    amount: Annotated[str, typer.Option("--amount", help="Its column of spend.")] = "amount",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the fit to a .json file.")] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the parameters, table and tracking plot to an .html page.")
    ] = None,
    lang: LangOption = "zh",
    backend: BackendOption = None,
) -> None:
    """Fit a model on the purchases up to --as-of: parameters, standard errors, log-likelihood."""
    import tierwise

    lang = _lang(lang)
    for path, suffix in ((output, ".json"), (plot, ".html")):
        if path is not None and path.suffix.lower() != suffix:
            raise ValueError(
                f"--{'output' if suffix == '.json' else 'plot'} is written as {suffix}; got '{path.name}'."
            )
    source, con, where = _source(data, backend)
    with _progress(f"Fitting {model} on {where} up to {as_of}…"):
        fitted = tierwise.fit_model(source, model, as_of, start=start, table=table, amount=amount, con=con)
        record = fitted.to_dict()
        if holdout_to is not None and fitted.purchases is not None:
            record["holdout_to"] = holdout_to
            record["holdout"] = fitted.calibration_holdout(holdout_to).to_dict("records")
        if fitted.purchases is not None:
            track = fitted.tracking(holdout_to or as_of)
            track["ends"] = track["ends"].map(lambda d: d.isoformat())
            record["tracking"] = track.to_dict("records")
    _print(record, lang)
    if output is not None:
        output.write_text(json.dumps(record, ensure_ascii=False, indent=2, default=float), encoding="utf-8")
        out.print(f"Wrote the fit to {output}")
    if plot is not None:
        from tierwise.reports import write_model_page

        write_model_page(plot, record, lang=lang)
        out.print(f"Wrote the model page to {plot}")


@model_app.command("show")
def show(
    path: Annotated[Path, typer.Argument(help="A fit written by 'tierwise model fit --output'.")],
    plot: Annotated[Path | None, typer.Option("--plot", help="Also write it as an .html page.")] = None,
    lang: LangOption = "zh",
) -> None:
    """Print a stored fit: parameters with standard errors, log-likelihood, calibration/holdout table."""
    lang = _lang(lang)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        missing = [k for k in ("model", "calibration", "customers", "repeat_buyers") if k not in record]
        if missing:
            raise KeyError(missing[0])
    except FileNotFoundError:
        raise ValueError(
            f"There is no fit at {path}; write one with 'tierwise model fit --output FILE.json'."
        ) from None
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError(f"{path} is not a fit written by 'tierwise model fit --output' ({exc!r}).") from None
    _print(record, lang)
    if plot is not None:
        from tierwise.reports import write_model_page

        write_model_page(plot, record, lang=lang)
        err.print(f"Wrote the model page to {plot}")
