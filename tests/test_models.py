"""Customer-base models: the published CDNow fits, the RFM summary conventions, robustness.

The reference numbers are the literature's, on the CDNow sample as Bruce Hardie distributes it
(``tests/data/cdnow/CDNOW_sample.txt``, checked against its published SHA-256; 39-week calibration ending 1997-09-30, 2,357 customers): Fader, Hardie & Lee (2005) for
BG/NBD and Gamma-Gamma, Fader & Hardie's Pareto/NBD note, and the BTYD vignette's
calibration/holdout table.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import hyp2f1

import tierwise
from tierwise.engine._models import rfm_summary, steps
from tierwise.models import Fit, ModelError, Summary, fit_bgnbd, predict

PUBLISHED = Path(__file__).resolve().parent / "data" / "cdnow"
CALIBRATION_END = "1997-09-30"
HOLDOUT_END = "1998-06-30"


def _published_sample() -> dict[str, pd.DataFrame]:
    """The CDNow sample as Bruce Hardie distributes it: master id, sample id, YYYYMMDD, CDs, dollars."""
    raw = pd.read_csv(
        PUBLISHED / "CDNOW_sample.txt", sep=r"\s+", header=None, names=["master", "customer_id", "day", "cds", "amount"]
    )
    dates = pd.to_datetime(raw["day"].astype(str), format="%Y%m%d").dt.date
    frame = pd.DataFrame({"customer_id": raw["customer_id"].astype(str), "date": dates, "amount": raw["amount"]})
    return {"transactions": frame}


@pytest.fixture(scope="module")
def cdnow() -> dict[str, pd.DataFrame]:
    return _published_sample()


@pytest.fixture(scope="module")
def bgnbd(cdnow: dict[str, pd.DataFrame]) -> tierwise.CustomerModel:
    return tierwise.fit_model(cdnow, "bgnbd+gammagamma", as_of=CALIBRATION_END)


def _close(fit: Fit, published: dict[str, float], log_likelihood: float | None) -> None:
    for name, value in published.items():
        assert fit.params[name] == pytest.approx(value, rel=0.005), name
    if log_likelihood is not None:
        assert fit.log_likelihood == pytest.approx(log_likelihood, abs=0.1)


def test_bgnbd_on_cdnow_reproduces_fader_hardie_lee_2005(bgnbd: tierwise.CustomerModel) -> None:
    assert bgnbd.summary.customers == 2357
    assert bgnbd.purchases is not None
    _close(bgnbd.purchases, {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, -9582.4)
    # the paper's standard errors (lifetimes prints the same): r 0.013, alpha 0.378, a 0.186, b 0.705
    assert bgnbd.purchases.se == pytest.approx({"r": 0.0126, "alpha": 0.378, "a": 0.186, "b": 0.705}, rel=0.05)


def test_pareto_nbd_on_cdnow_reproduces_the_published_fit(cdnow: dict[str, pd.DataFrame]) -> None:
    model = tierwise.fit_model(cdnow, "pnbd", as_of=CALIBRATION_END)
    assert model.purchases is not None
    assert model.spend is None
    _close(model.purchases, {"r": 0.553, "alpha": 10.578, "s": 0.606, "beta": 11.669}, -9595.0)


def test_gamma_gamma_on_the_946_repeat_buyers_reproduces_the_published_fit(bgnbd: tierwise.CustomerModel) -> None:
    assert bgnbd.spend is not None
    assert bgnbd.spend.customers == bgnbd.summary.repeat_buyers == 946
    _close(bgnbd.spend, {"p": 6.25, "q": 3.74, "gamma": 15.44}, None)


def test_the_calibration_holdout_table_matches_the_btyd_vignettes_actual_column(
    bgnbd: tierwise.CustomerModel,
) -> None:
    table = bgnbd.calibration_holdout(HOLDOUT_END)
    assert list(table["frequency"]) == ["0", "1", "2", "3", "4", "5", "6", "7+"]
    assert list(table["customers"]) == [1411, 439, 214, 100, 62, 38, 29, 64]
    assert [round(v, 3) for v in table["actual"]] == [0.237, 0.697, 1.393, 1.560, 2.532, 2.947, 3.862, 6.359]
    assert (table["expected"].diff().dropna() > 0).all()  # more purchases before, more predicted after


def test_the_bundled_cdnow_copy_gives_the_same_summary_as_the_published_original(
    bgnbd: tierwise.CustomerModel,
) -> None:
    bundled = tierwise.fit_model(tierwise.demo.CDNOW, "bgnbd+gammagamma", as_of=CALIBRATION_END)
    for column in ("frequency", "recency", "T", "monetary"):
        np.testing.assert_allclose(getattr(bundled.summary, column), getattr(bgnbd.summary, column))
    reference = pd.read_csv(PUBLISHED / "cdnow_customers_summary.csv")  # lifetimes' own summary of the sample
    by_id = pd.DataFrame({"f": bundled.summary.frequency, "r": bundled.summary.recency, "T": bundled.summary.T})
    by_id.index = [int(i) for i in bundled.summary.ids or ()]
    by_id = by_id.loc[reference["ID"]]
    np.testing.assert_array_equal(by_id["f"].to_numpy(), reference["frequency"].to_numpy())
    np.testing.assert_allclose(by_id["r"].to_numpy(), reference["recency"].to_numpy(), atol=0.005)
    np.testing.assert_allclose(by_id["T"].to_numpy(), reference["T"].to_numpy(), atol=0.005)


def test_predictions_for_the_papers_example_customer() -> None:
    # Fader, Hardie & Lee (2005): x = 2, t_x = 30.43, T = 38.86 expects 1.226 purchases in the next 39 weeks
    fit = Fit("bgnbd", {"r": 0.2426, "alpha": 4.4136, "a": 0.7929, "b": 2.4259}, {}, -9582.4, 2357)
    one = Summary.of([2], [30.43], [38.86])
    assert predict("purchases", one, fit, steps=[39])[0] == pytest.approx(1.226, abs=0.001)
    assert predict("p_alive", one, fit)[0] == pytest.approx(0.726, abs=0.001)


@settings(max_examples=60, deadline=None)
@given(
    x=st.integers(0, 40),
    gap=st.floats(0, 1),
    age=st.floats(1, 80),
    t=st.floats(0.5, 104),
)
def test_bgnbd_expected_purchases_equal_the_papers_formula_without_the_euler_transform(
    x: int, gap: float, age: float, t: float
) -> None:
    params = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    r, alpha, a, b = params.values()
    recency = 0.0 if x == 0 else age * gap
    one = Summary.of([x], [recency], [age])
    direct = (a + b + x - 1) / (a - 1)
    direct *= 1 - ((alpha + age) / (alpha + age + t)) ** (r + x) * hyp2f1(
        r + x, b + x, a + b + x - 1, t / (alpha + age + t)
    )
    if x > 0:
        direct /= 1 + a / (b + x - 1) * ((alpha + age) / (alpha + recency)) ** (r + x)
    got = predict("purchases", one, Fit("bgnbd", params, {}, 0.0, 1), steps=[t])[0]
    assert got == pytest.approx(direct, rel=1e-6, abs=1e-9)
    alive = predict("p_alive", one, Fit("bgnbd", params, {}, 0.0, 1))[0]
    assert 0 < alive <= 1


def test_clv_is_the_discounted_monthly_purchases_times_the_expected_spend(bgnbd: tierwise.CustomerModel) -> None:
    undiscounted = bgnbd.predict("clv", "12 months").set_index("customer_id")["value"]
    discounted = bgnbd.predict("clv", "12 months", discount=0.01).set_index("customer_id")["value"]
    purchases = bgnbd.predict("purchases", "12 months").set_index("customer_id")["value"]
    spend = bgnbd.predict("spend").set_index("customer_id")["value"]
    np.testing.assert_allclose(undiscounted, purchases * spend, rtol=1e-9)
    assert (discounted < undiscounted).all()
    assert (discounted > undiscounted / 1.01**12).all()


def test_the_summary_counts_same_day_purchases_once_and_handles_one_purchase_and_zero_spend() -> None:
    tx = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "c", "c", "d", "d"],
            "date": [dt.date(2024, 1, d) for d in (1, 1, 15)]
            + [dt.date(2024, 2, 1)]
            + [dt.date(2024, 1, 3), dt.date(2024, 1, 10), dt.date(2024, 3, 1), dt.date(2024, 4, 1)],
            "amount": [10.0, 5.0, 30.0, 99.0, 0.0, 0.0, 20.0, -50.0],
        }
    )
    model = tierwise.fit_model({"transactions": tx}, "bgnbd", as_of="2024-04-01")
    s = model.summary
    rows = {i: (s.frequency[k], s.recency[k], s.T[k]) for k, i in enumerate(s.ids or ())}
    assert rows["a"] == (1.0, 2.0, pytest.approx((dt.date(2024, 4, 1) - dt.date(2024, 1, 1)).days / 7))
    assert rows["b"][:2] == (0.0, 0.0)
    summary = rfm_summary(ibis.memtable(tx), dt.date(2024, 4, 1)).to_pandas()
    spend = dict(zip(summary["customer_id"], summary["monetary"], strict=True))
    assert spend == {"a": 30.0, "b": 0.0, "c": 0.0, "d": 0.0}  # a's first day (15) is not a repeat; d's return is 0


def test_a_fit_that_does_not_converge_is_an_error_that_says_so() -> None:
    few = Summary.of(frequency=[0, 1, 2, 5, 0, 3], recency=[0, 8, 20, 30, 0, 12], T=[40, 40, 38, 39, 35, 30])
    with pytest.raises(ModelError, match=r"The BG/NBD fit on 6 customers did not converge after [\d,]+ iterations"):
        fit_bgnbd(few)


def test_bad_summary_data_is_reported_all_at_once_with_examples() -> None:
    with pytest.raises(ModelError) as caught:
        Summary.of(frequency=[1.5, 2, 0], recency=[3, 50, 4], T=[10, 40, 10], ids=["x", "y", "z"])
    text = str(caught.value)
    assert "1 customers have a frequency that is not a whole number of at least 0 (for example x)" in text
    assert "recency greater than T" in text
    assert "(for example y)" in text
    assert "no repeat purchase but a recency above 0 (for example z)" in text


def test_fit_model_names_a_missing_table_or_column_with_a_suggestion() -> None:
    tx = pd.DataFrame({"customer_id": ["a"], "date": [dt.date(2024, 1, 1)], "amount": [1.0]})
    with pytest.raises(ModelError, match=r"no table 'transaction' to fit on\. Did you mean 'transactions'"):
        tierwise.fit_model({"transactions": tx}, "bgnbd", as_of="2024-02-01", table="transaction")
    with pytest.raises(ModelError, match=r"no column 'amt' to fit on\. Did you mean 'amount'"):
        tierwise.fit_model({"transactions": tx}, "bgnbd+gammagamma", as_of="2024-02-01", amount="amt")
    with pytest.raises(ModelError, match="There is no model 'bgndb'"):
        tierwise.fit_model({"transactions": tx}, "bgndb", as_of="2024-02-01")


def test_monthly_steps_of_a_horizon_end_on_calendar_months() -> None:
    weeks = steps(dt.date(2024, 1, 31), tierwise.spec.parse_duration("3 months"))
    assert [round(w * 7) for w in weeks] == [29, 60, 90]  # Feb 29, Mar 31, Apr 30 (month ends clamped)


def test_the_tracking_curve_follows_the_cumulative_repeat_purchases(bgnbd: tierwise.CustomerModel) -> None:
    track = bgnbd.tracking(HOLDOUT_END)
    assert len(track) == 78  # 1997-01-01 .. 1998-06-30 in weeks
    assert (track["actual"].diff().dropna() >= 0).all()
    calibration = track[track["ends"] <= dt.date(1997, 10, 1)]
    assert calibration["expected"].iloc[-1] == pytest.approx(calibration["actual"].iloc[-1], rel=0.05)
    assert track["expected"].iloc[-1] == pytest.approx(track["actual"].iloc[-1], rel=0.10)


def test_the_cli_fits_prints_the_holdout_table_stores_the_fit_and_draws_the_tracking_plot(tmp_path: Path) -> None:
    from tests.conftest import CDNOW, run_cli

    fit, page = tmp_path / "fit.json", tmp_path / "fit.html"
    done = run_cli(
        "model", "fit", "--data", str(CDNOW), "--as-of", CALIBRATION_END, "--holdout-to", HOLDOUT_END,
        "-o", str(fit), "--plot", str(page), "--lang", "en",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "0.2426" in done.stdout
    assert "6.359" in done.stdout
    assert "946 with a repeat purchase" in done.stdout
    record = json.loads(fit.read_text(encoding="utf-8"))
    assert [row["customers"] for row in record["holdout"]] == [1411, 439, 214, 100, 62, 38, 29, 64]
    assert len(record["tracking"]) == 78
    assert "echarts.init" in page.read_text(encoding="utf-8")
    shown = run_cli("model", "show", str(fit))
    assert shown.returncode == 0
    assert "对数似然 -9582.43" in shown.stdout
    bad = run_cli("model", "fit", "--data", str(CDNOW), "--as-of", CALIBRATION_END, "--model", "bgndb")
    assert bad.returncode == 1
    assert "Error: There is no model 'bgndb'" in bad.stderr
