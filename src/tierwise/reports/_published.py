"""The published grades every report starts from: one row per customer, with state, values and attributes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from tierwise._sql import ident
from tierwise.lifecycle import grades_on_sql
from tierwise.spec import Standard, loads_standard
from tierwise.workspace import User, Workspace, WorkspaceError, data_columns, scope_sql
from tierwise.workspace._runs import deciding_indicator, json_path

__all__ = ["Published", "previous", "published"]

# Each customer's row in the latest publication up to a day that graded it (parameters: standard, day): the
# values and reasons in force, also for held grades and for customers a later review left alone
_LATEST_ROWS = (
    "SELECT rr.* FROM run_rows rr JOIN publications p ON p.run_id = rr.run_id WHERE p.standard_id = ? "
    "AND p.as_of <= ? QUALIFY row_number() OVER (PARTITION BY rr.customer_id ORDER BY p.as_of DESC) = 1"
)


class Published:
    """The published grades of one standard on one day, as a DataFrame with what they were graded on.

    ``frame`` has one row per customer: ``customer_id``, ``grade``, ``state`` (confirmed,
    provisional, held, override, cancelled), ``evaluated`` (the grade the standard gave),
    ``until`` (an override's last day), ``valid_from``, ``run_id`` (the run that set the
    grade), ``why`` (the lifecycle's reason), ``reason`` (the standard's, in the
    publication in force that day), one column per indicator of the standard from that
    same publication (numbers where they are numbers), then every column of the customers table
    that is not one of these (name, region, industry …).
    """

    def __init__(
        self,
        standard: Standard,
        day: dt.date,
        frame: pd.DataFrame,
        publication: int | None,
        user: User | None = None,
    ) -> None:
        self.standard, self.day, self.frame, self.publication = standard, day, frame, publication
        self.user = user  # whose customers: a user limited to regions sees theirs only

    @property
    def value(self) -> str | None:
        """The amount the standard decides on (the ladder's ``on``, rfm's monetary, else the first indicator)."""
        return deciding_indicator(self.standard)

    def graded(self) -> pd.DataFrame:
        """The customers that hold a grade (cancelled ones do not)."""
        return self.frame[(self.frame["state"] != "cancelled") & self.frame["grade"].notna()]


def _numbers(column: pd.Series) -> pd.Series:
    """A column of JSON texts as numbers when every present value is one, else as it is."""
    converted = pd.to_numeric(column, errors="coerce")
    return converted if converted.notna().sum() == column.notna().sum() else column


def _day(con: Any, standard_id: str, as_of: dt.date | None, publication: int | None) -> tuple[dt.date, int | None]:
    if publication is not None:
        rows = con.execute(
            "SELECT as_of FROM publications WHERE run_id = ? AND standard_id = ?", [publication, standard_id]
        ).fetchall()
        if not rows:
            raise WorkspaceError(
                f"Run {publication} is not a publication of '{standard_id}'; list them with 'tierwise runs'."
            )
        return rows[0][0], publication
    if as_of is not None:
        return as_of, None
    rows = con.execute(
        "SELECT run_id, as_of FROM publications WHERE standard_id = ? ORDER BY as_of DESC LIMIT 1", [standard_id]
    ).fetchall()
    if not rows:
        raise WorkspaceError(
            f"'{standard_id}' has never been published in this workspace; publish a run first (tierwise publish RUN)."
        )
    return rows[0][1], int(rows[0][0])


def published(
    workspace: Workspace,
    standard_id: str,
    *,
    as_of: dt.date | None = None,
    publication: int | None = None,
    user: User | None = None,
) -> Published:
    """Everyone's published grade of ``standard_id`` on a day: ``publication`` (a run id), ``as_of``, or the latest.

    The standard is the one of the latest publication on or before that day (its grades,
    indicators and policies). With ``user``, only the customers of their regions (every
    report built on it is then theirs only).
    """
    with workspace.reading() as con:
        day, publication = _day(con, standard_id, as_of, publication)
        rows = con.execute(
            "SELECT r.standard_text FROM publications p JOIN runs r ON r.id = p.run_id "
            "WHERE p.standard_id = ? AND p.as_of <= ? ORDER BY p.as_of DESC LIMIT 1",
            [standard_id, day],
        ).fetchall()
        if not rows:
            raise WorkspaceError(f"'{standard_id}' had not been published by {day}; choose a later date.")
        standard = loads_standard(rows[0][0], file=f"<published {standard_id}>")
        indicators = list(standard.indicators)
        # each indicator from the publication's JSON values, under a quoted internal name
        selected = "".join(
            f', json_extract_string(r."values", ?) AS {ident("_tw_value_" + str(i))}' for i in range(len(indicators))
        )
        on_day, on_day_params = grades_on_sql(standard_id, day)
        has_region = "region" in data_columns(con, "customers")
        scope, scope_params = scope_sql(user, "sc.region" if has_region else "NULL")
        regions = (
            "LEFT JOIN (SELECT CAST(customer_id AS VARCHAR) AS cid, CAST(region AS VARCHAR) AS region "
            "FROM data.customers) sc ON sc.cid = g.customer_id"
            if has_region and scope != "TRUE"
            else ""
        )
        query = (
            f"SELECT g.*, r.reason{selected} FROM ({on_day}) g "
            f"LEFT JOIN ({_LATEST_ROWS}) r ON r.customer_id = g.customer_id {regions} WHERE {scope} "
            "ORDER BY g.customer_id"
        )
        params = [json_path(name) for name in indicators] + on_day_params + [standard_id, day] + scope_params
        frame = con.execute(query, params).df()
        has_customers = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'data' AND table_name = 'customers'"
        ).fetchall()[0][0]
        customers = con.execute("SELECT * FROM data.customers").df() if has_customers else None
    frame = frame.rename(columns={f"_tw_value_{i}": name for i, name in enumerate(indicators)})
    for column in ("until", "valid_from"):  # days, not timestamps
        frame[column] = [None if pd.isna(v) else pd.Timestamp(v).date() for v in frame[column]]
    for name in indicators:
        frame[name] = _numbers(frame[name])
    if customers is not None:
        customers["customer_id"] = customers["customer_id"].astype(str)
        extra = [c for c in customers.columns if c == "customer_id" or c not in frame.columns]
        frame = frame.merge(customers[extra], on="customer_id", how="left")
    return Published(standard, day, frame, publication, user)


def previous(workspace: Workspace, source: Published) -> Published | None:
    """The published grades of the last publication before ``source``'s day that is not a review (run --due)."""
    with workspace.reading() as con:
        rows = con.execute(
            "SELECT p.run_id FROM publications p JOIN runs r ON r.id = p.run_id WHERE p.standard_id = ? "
            "AND p.as_of < ? AND NOT coalesce(r.review, false) ORDER BY p.as_of DESC LIMIT 1",
            [source.standard.id, source.day],
        ).fetchall()
    return published(workspace, source.standard.id, publication=int(rows[0][0]), user=source.user) if rows else None
