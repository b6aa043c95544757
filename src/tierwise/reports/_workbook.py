"""The report pack as one Excel workbook: a formatted sheet per report, native charts, a migration heat map."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from tierwise.workspace import User, Workspace, data_columns

from ._distribution import distribution, gini, lorenz
from ._effect import NotMeasurable, effect, effect_breaks
from ._labels import label
from ._migration import migration, migration_summary
from ._published import Published, previous, published
from ._tables import entitlements, grade_list, region_analysis, sales_pivot, special_terms

__all__ = ["Pack", "report_pack", "write_pack"]

_PERCENT = ("share", "rate")
_LORENZ_POINTS = 200  # the Lorenz curve sampled at this many points (a million customers would be a million rows)


class Pack:
    """Every report of one standard on one day: ``sheets`` maps a sheet key to its DataFrame.

    ``pending`` maps a sheet key to why that report has no rows yet (a :class:`NotMeasurable`
    effect: no transaction after the publication); :meth:`note` says it in a language, and
    every renderer shows it with the sheet.
    """

    def __init__(
        self,
        source: Published,
        sheets: dict[str, pd.DataFrame],
        gini: float,
        pending: dict[str, NotMeasurable] | None = None,
    ) -> None:
        self.source, self.sheets, self.gini = source, sheets, gini
        self.pending = pending or {}

    def note(self, key: str, lang: str = "zh") -> str | None:
        """Why the sheet ``key`` has no rows yet, in ``lang``; None when it has what it should."""
        found = self.pending.get(key)
        return None if found is None else found.sentence(lang)


def _sampled(curve: pd.DataFrame) -> pd.DataFrame:
    if len(curve) <= _LORENZ_POINTS:
        return curve
    picks = sorted({round(i * (len(curve) - 1) / (_LORENZ_POINTS - 1)) for i in range(_LORENZ_POINTS)})
    return curve.iloc[picks].reset_index(drop=True)


def report_pack(
    workspace: Workspace,
    standard_id: str,
    *,
    as_of: dt.date | None = None,
    publication: int | None = None,
    by: str = "region",
    user: User | None = None,
) -> Pack:
    """Every report of ``standard_id`` on a day (default: its latest publication), migration from the one before.

    With ``user``, every sheet counts only the customers of their regions.
    """
    source = published(workspace, standard_id, as_of=as_of, publication=publication, user=user)
    sheets: dict[str, pd.DataFrame] = {}
    pending: dict[str, NotMeasurable] = {}
    has_value = source.value is not None and pd.api.types.is_numeric_dtype(source.frame[source.value])
    if has_value:
        sheets["distribution"] = distribution(source)
        sheets["pareto"] = _sampled(lorenz(source))[["rank", "customer_share", "value_share"]]
    sheets["grade_list"] = grade_list(source)
    sheets["top_list"] = grade_list(source, grades=[source.standard.grades[0]])
    sheets["special_terms"] = special_terms(workspace, source)
    if has_value and by in source.frame.columns:
        sheets["region_analysis"] = region_analysis(source, by=by)
    with workspace.reading() as con:
        products = {"product", "date", "amount", "customer_id"} <= data_columns(con, "transactions")
    if products:
        sheets["sales_pivot"] = sales_pivot(workspace, source)
    before = previous(workspace, source)
    if before is not None:
        sheets["migration"] = migration(before, source)
        sheets["migration_summary"] = migration_summary(before, source)
        try:
            sheets["effect"] = effect(workspace, before)  # what the previous grades' customers did since
            sheets["effect_breaks"] = effect_breaks(sheets["effect"])
        except NotMeasurable as exc:  # the data ends before anything happened after it: say when it will
            sheets["effect"] = pd.DataFrame({"grade": [], "customers": []})
            pending["effect"] = exc
    if source.standard.policies:
        sheets["entitlements"] = entitlements(source)
    return Pack(source, sheets, gini(source) if has_value else math.nan, pending)


def _width(values: Sequence[Any]) -> int:
    """Columns wide enough for CJK text (two cells a character), within 8..48."""
    longest = 0
    for value in values:
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
        longest = max(longest, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text))
    return min(max(longest + 2, 8), 48)


def _write_frame(book: Any, sheet: Any, frame: pd.DataFrame, lang: str, first_row: int = 0) -> None:
    formats = {
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "percent": book.add_format({"num_format": "0.0%"}),
        "number": book.add_format({"num_format": "#,##0.00"}),
        "count": book.add_format({"num_format": "#,##0"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    for index, column in enumerate(frame.columns):
        header = label(str(column), lang)
        sheet.write_string(first_row, index, header, formats["head"])
        values = frame[column].tolist()
        sheet.set_column(index, index, _width([header, *values[:500]]))
        kind = (
            "percent"
            if any(str(column).endswith(p) for p in _PERCENT)
            else "count"
            if pd.api.types.is_integer_dtype(frame[column])
            else "number"
        )
        for row, value in enumerate(values, start=first_row + 1):
            if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
                continue
            if isinstance(value, bool):
                sheet.write_boolean(row, index, value)
            elif isinstance(value, (int, float)):
                sheet.write_number(row, index, value, formats[kind])
            elif isinstance(value, (dt.date, pd.Timestamp)):
                sheet.write_datetime(row, index, pd.Timestamp(value).to_pydatetime(), formats["date"])
            else:
                sheet.write_string(row, index, str(value))  # text is never a formula
    sheet.freeze_panes(first_row + 1, 0)


def write_pack(pack: Pack, path: str | Path, *, lang: str = "zh") -> Path:
    """Write ``pack`` to an .xlsx file: one sheet per report, four native charts, the migration as a heat map."""
    import xlsxwriter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValueError(f"A report pack is written as .xlsx; got '{path.name}'.")
    source = pack.source
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    title = book.add_format({"bold": True, "font_size": 14})
    names: dict[str, str] = {}
    for key, frame in pack.sheets.items():
        name = label(f"sheet.{key}", lang)[:31]
        names[key] = name
        sheet = book.add_worksheet(name)
        heading = f"{source.standard.name} · {source.standard.id} {source.standard.version} · {source.day}"
        sheet.write_string(0, 0, f"{name} — {heading}", title)
        note = pack.note(key, lang)
        if note is not None:
            sheet.write_string(1, 0, note)  # text, never a formula
        _write_frame(book, sheet, frame, lang, first_row=2)
        if key == "distribution" and not math.isnan(pack.gini):
            sheet.write_string(len(frame) + 4, 0, label("gini", lang))
            sheet.write_number(len(frame) + 4, 1, round(pack.gini, 4))
    _charts(book, pack, names, lang)
    book.close()
    return path


def _charts(book: Any, pack: Pack, names: dict[str, str], lang: str) -> None:
    sheets = pack.sheets
    if "distribution" in sheets:
        frame, sheet = sheets["distribution"], names["distribution"]
        rows = len(frame)
        col = {c: i for i, c in enumerate(frame.columns)}
        grade_range = [sheet, 3, col["grade"], 2 + rows, col["grade"]]
        bars = book.add_chart({"type": "column"})
        bars.add_series(
            {
                "name": label("customers", lang),
                "categories": grade_range,
                "values": [sheet, 3, col["customers"], 2 + rows, col["customers"]],
            }
        )
        bars.set_title({"name": label("chart.distribution", lang)})
        bars.set_legend({"position": "bottom"})
        book.get_worksheet_by_name(sheet).insert_chart(rows + 7, 0, bars)
        pareto = book.add_chart({"type": "column"})
        pareto.add_series(
            {
                "name": label("value_share", lang),
                "categories": grade_range,
                "values": [sheet, 3, col["value_share"], 2 + rows, col["value_share"]],
            }
        )
        line = book.add_chart({"type": "line"})
        line.add_series(
            {
                "name": label("cum_value_share", lang),
                "categories": grade_range,
                "values": [sheet, 3, col["cum_value_share"], 2 + rows, col["cum_value_share"]],
                "y2_axis": True,
                "marker": {"type": "circle"},
            }
        )
        pareto.combine(line)
        pareto.set_title({"name": label("chart.pareto", lang)})
        pareto.set_legend({"position": "bottom"})
        book.get_worksheet_by_name(sheet).insert_chart(rows + 7, 8, pareto)
    if "pareto" in sheets:
        frame, sheet = sheets["pareto"], names["pareto"]
        curve = book.add_chart({"type": "scatter", "subtype": "smooth"})
        curve.add_series(
            {
                "name": label("chart.lorenz", lang),
                "categories": [sheet, 3, 1, 2 + len(frame), 1],
                "values": [sheet, 3, 2, 2 + len(frame), 2],
            }
        )
        curve.set_title({"name": label("chart.lorenz", lang)})
        curve.set_x_axis({"name": label("cum_customer_share", lang), "num_format": "0%", "max": 1})
        curve.set_y_axis({"name": label("cum_value_share", lang), "num_format": "0%", "max": 1})
        book.get_worksheet_by_name(sheet).insert_chart(2, 5, curve)
    if "region_analysis" in sheets:
        frame, sheet = sheets["region_analysis"], names["region_analysis"]
        grades = list(pack.source.standard.grades)
        regions = list(dict.fromkeys(frame.iloc[:, 0].tolist()))
        # a small grade x region block beside the table feeds the stacked bars
        block = book.get_worksheet_by_name(sheet)
        left = len(frame.columns) + 1
        for j, region in enumerate(regions):
            block.write_string(2, left + 1 + j, str(region))
        for i, grade in enumerate(grades):
            block.write_string(3 + i, left, grade)
            for j, region in enumerate(regions):
                cell = frame[(frame.iloc[:, 0] == region) & (frame["grade"] == grade)]["customers"]
                block.write_number(3 + i, left + 1 + j, int(cell.iloc[0]) if len(cell) else 0)
        stacked = book.add_chart({"type": "bar", "subtype": "stacked"})
        for i in range(len(grades)):
            stacked.add_series(
                {
                    "name": [sheet, 3 + i, left],
                    "categories": [sheet, 2, left + 1, 2, left + len(regions)],
                    "values": [sheet, 3 + i, left + 1, 3 + i, left + len(regions)],
                }
            )
        stacked.set_title({"name": label("chart.region", lang)})
        block.insert_chart(4 + len(grades), left, stacked)
    if "migration" in sheets:
        frame, sheet = sheets["migration"], names["migration"]
        block = book.get_worksheet_by_name(sheet)
        cells: list[str | None] = [*pack.source.standard.grades, None]  # None: not graded (entries, exits)
        left = len(frame.columns) + 1
        shown = [g if g is not None else "—" for g in cells]
        block.write_string(2, left, f"{label('before', lang)} \\ {label('after', lang)}")
        for j, grade in enumerate(shown):
            block.write_string(2, left + 1 + j, grade)
        for i, before in enumerate(cells):
            block.write_string(3 + i, left, shown[i])
            for j, after in enumerate(cells):
                cell = frame[
                    (frame["before"].isna() if before is None else frame["before"] == before)
                    & (frame["after"].isna() if after is None else frame["after"] == after)
                ]["customers"]
                block.write_number(3 + i, left + 1 + j, int(cell.sum()))
        block.conditional_format(
            3, left + 1, 2 + len(cells), left + len(cells), {"type": "3_color_scale"}
        )  # the heat map: the diagonal (unchanged) and where customers moved
