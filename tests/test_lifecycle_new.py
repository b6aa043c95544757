"""New customers are graded from the start: the next review grades them, due lists them (issue 24, item 6)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from tests.test_lifecycle import YEARS, scenario

import tierwise.lifecycle as lc
import tierwise.reports as reports
import tierwise.workspace as tw
from tierwise import import_file

__all__ = ["scenario"]


def _add_customer(ws: tw.Workspace, folder: Path, customer: str, created: dt.date, amount: float) -> None:
    pq.write_table(pa.table({"customer_id": [customer], "created_at": [created]}), folder / "new_c.parquet")
    pq.write_table(
        pa.table({"customer_id": [customer], "date": [created + dt.timedelta(days=14)], "amount": [amount]}),
        folder / "new_t.parquet",
    )
    import_file(ws, "customers", folder / "new_c.parquet", mode="append", today=YEARS[-1])
    import_file(ws, "transactions", folder / "new_t.parquet", mode="append", today=YEARS[-1])


def test_a_customer_who_starts_mid_year_gets_a_provisional_grade_from_the_next_review(
    scenario: tuple[tw.Workspace, Path], tmp_path: Path
) -> None:
    ws, standard = scenario
    lc.publish(ws, tw.run_standard(ws, standard, YEARS[0]).id)
    _add_customer(ws, tmp_path, "N", dt.date(2024, 9, 1), 200_000)

    listed = reports.due(ws, dt.date(2024, 10, 1), standard_id="yearly-sales")
    assert [(r.kind, r.customer_id, r.due) for r in listed.itertuples() if r.customer_id == "N"] == [
        ("new", "N", dt.date(2024, 9, 1))
    ]

    review = tw.run_standard(ws, standard, dt.date(2024, 10, 31), due=True)
    result = lc.publish(ws, review.id)

    assert review.customers == 2  # N, new; and P, whose provisional period has ended
    assert result.kind == "review"
    graded = lc.grades_on(ws, "yearly-sales", dt.date(2024, 11, 1))
    assert (graded["N"], graded["P"]) == (("B", "provisional"), ("A", "confirmed"))
    provisional = reports.due(ws, dt.date(2025, 2, 20), standard_id="yearly-sales")
    assert [(r.kind, r.due) for r in provisional.itertuples() if r.customer_id == "N"] == [
        ("provisional", dt.date(2025, 3, 3))
    ]
