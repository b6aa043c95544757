"""Customer-base models where the data lives: the RFM summary computed by PostgreSQL and by Spark
is DuckDB's, so the fitted parameters and the graded CLV are the same."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from tests.backends.conftest import Dataset

import tierwise

pytestmark = pytest.mark.backends

CALIBRATION_END = "1997-09-30"


def _same(model: tierwise.CustomerModel, reference: tierwise.CustomerModel) -> None:
    assert model.summary.ids == reference.summary.ids
    for column in ("frequency", "recency", "T", "monetary"):
        np.testing.assert_allclose(getattr(model.summary, column), getattr(reference.summary, column), rtol=1e-12)
    for mine, theirs in zip(model.fits, reference.fits, strict=True):
        assert mine.params == pytest.approx(theirs.params, rel=1e-9)


def test_postgres_computes_the_same_summary_and_fit_as_duckdb(datasets: dict[str, Dataset]) -> None:
    cdnow = datasets["cdnow"]
    reference = tierwise.fit_model(cdnow.parquet, "bgnbd+gammagamma", as_of=CALIBRATION_END)
    con = tierwise.connect_backend(cdnow.postgres_url)
    _same(tierwise.fit_model(con, "bgnbd+gammagamma", as_of=CALIBRATION_END), reference)
    assert reference.purchases is not None
    assert reference.purchases.params["r"] == pytest.approx(0.243, rel=0.005)


def test_spark_computes_the_same_summary_and_fit_as_duckdb(datasets: dict[str, Dataset], spark: Any) -> None:
    cdnow = datasets["cdnow"]
    reference = tierwise.fit_model(cdnow.parquet, "pnbd+gammagamma", as_of=CALIBRATION_END)
    _same(tierwise.fit_model(cdnow.parquet, "pnbd+gammagamma", as_of=CALIBRATION_END, con=spark), reference)


def test_churn_risk_grades_the_same_on_postgres_as_on_duckdb(datasets: dict[str, Dataset]) -> None:
    demo = datasets["demo"]
    standard = tierwise.load_builtin("churn-risk")
    on_duckdb = tierwise.evaluate(standard, demo.parquet, demo.as_of).to_pandas()
    con = tierwise.connect_backend(demo.postgres_url)
    on_postgres = tierwise.evaluate(standard, con, demo.as_of).to_pandas()
    columns = ["customer_id", "grade", "reason"]
    left = on_postgres[columns].sort_values("customer_id", ignore_index=True)
    right = on_duckdb[columns].sort_values("customer_id", ignore_index=True)
    assert left.equals(right)
    assert set(on_duckdb["grade"]) == set(standard.grades)
