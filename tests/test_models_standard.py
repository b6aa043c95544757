"""Model predictions as indicators of a standard: graded, explained, compiled, stored, reproduced."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import CDNOW, write_standard

import tierwise

HEAD = """\
tierwise: 1
id: predicted-value
name: 预测价值
version: "1"
grades: [高, 中, 低]
"""
CLV = (
    HEAD
    + """\
indicators:
  clv_12m: {model: bgnbd+gammagamma, from: transactions, horizon: 12 months, discount: 1% monthly}
  p_alive: {model: bgnbd, output: p_alive}
grade:
  ladder:
    on: clv_12m
    steps: [{grade: 高, at_least: 100}, {grade: 中, at_least: 20}, {grade: 低}]
"""
)


def test_a_ladder_grades_by_predicted_clv_and_the_run_keeps_the_fitted_parameters(tmp_path: Path) -> None:
    result = tierwise.evaluate(write_standard(tmp_path, CLV), CDNOW, "1997-09-30")
    table = result.to_pandas().set_index("customer_id")
    assert len(table) == 2357
    assert set(table["grade"]) == {"高", "中", "低"}
    assert table["p_alive"].between(0, 1).all()
    assert (table.loc[table["clv_12m"] >= 100, "grade"] == "高").all()
    assert result.explain("1").grade == table.loc["1", "grade"]
    fits = result.models
    assert len(fits) == 2  # the CLV model and the BG/NBD alone (fitted without spend)
    clv = next(v for k, v in fits.items() if k.startswith("bgnbd+gammagamma"))
    assert clv["customers"] == 2357
    assert clv["repeat_buyers"] == 946
    assert clv["purchases"]["params"]["r"] == pytest.approx(0.243, rel=0.005)
    assert clv["spend"]["params"]["p"] == pytest.approx(6.25, rel=0.005)
    assert clv["calibration"] == {"from": None, "to": "1997-09-30"}


def test_a_stored_fit_reproduces_the_run_without_fitting_again(tmp_path: Path) -> None:
    path = write_standard(tmp_path, CLV)
    first = tierwise.evaluate(path, CDNOW, "1997-09-30")
    pinned = {
        k: {**v, "purchases": {**v["purchases"], "params": {**v["purchases"]["params"], "r": 0.3}}}
        for k, v in first.models.items()
    }
    again = tierwise.evaluate(path, CDNOW, "1997-09-30", models=first.models)
    assert again.to_pandas().equals(first.to_pandas())
    changed = tierwise.evaluate(path, CDNOW, "1997-09-30", models=pinned).to_pandas()
    assert not changed["clv_12m"].equals(first.to_pandas()["clv_12m"])  # the stored parameters are what is used


def test_model_indicator_mistakes_are_located_sentences(tmp_path: Path) -> None:
    bad = (
        HEAD
        + """\
indicators:
  clv: {model: bgnbd+gammagamma}
  alive: {model: bgnbd, output: spend}
  later: {model: pnbd, output: purchases, window: 12 months}
  wrong: {model: bgndb}
grade: {ladder: {on: clv, steps: [{grade: 高, at_least: 1}, {grade: 中, at_least: 0}, {grade: 低}]}}
"""
    )
    with pytest.raises(tierwise.StandardError) as caught:
        tierwise.load_standard(write_standard(tmp_path, bad))
    text = str(caught.value)
    assert "predicting 'clv' needs a 'horizon', such as 12 months" in text
    assert "The model 'bgnbd' predicts purchases, p_alive, not 'spend'; use bgnbd+gammagamma for a value" in text
    assert "'window' does not apply to an indicator predicted by a model (a model reads its 'calibration'" in text
    assert "bgndb" in text
    assert text.count(".yaml:") >= 4


def test_a_model_on_a_table_the_data_lacks_names_it_and_the_line(tmp_path: Path) -> None:
    text = (
        HEAD
        + """\
indicators:
  alive: {model: bgnbd, output: p_alive, from: orders}
grade: {ladder: {on: alive, steps: [{grade: 高, at_least: 0.8}, {grade: 中, at_least: 0.3}, {grade: 低}]}}
"""
    )
    with pytest.raises(
        tierwise.StandardError, match=r"\.yaml:7: Indicator 'alive' fits its model on the table 'orders'"
    ):
        tierwise.evaluate(write_standard(tmp_path, text), CDNOW, "1997-09-30")


def test_the_compiled_sql_reads_the_predictions_as_a_table(tmp_path: Path) -> None:
    path = write_standard(tmp_path, CLV)
    assumed = tierwise.compiled_sql(path, as_of="1997-09-30")
    assert '"_tw_models"' in assumed
    real = tierwise.compiled_sql(path, CDNOW, as_of="1997-09-30")
    assert "_tw_models_" in real


def test_customers_without_purchases_in_the_calibration_period_get_the_missing_grade(tmp_path: Path) -> None:
    text = CLV.replace(
        "discount: 1% monthly}", "discount: 1% monthly, calibration: {from: 1997-02-01, to: 1997-09-30}}"
    )
    result = tierwise.evaluate(write_standard(tmp_path, text), CDNOW, "1997-09-30").to_pandas()
    none = result[result["clv_12m"].isna()]
    assert len(none) > 0
    assert set(none["grade"]) == {"低"}
