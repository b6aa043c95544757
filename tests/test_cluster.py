"""The cluster grader: k-means segments found in the data, named, sized, and stable across runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tierwise
import tierwise.workspace as tw
from tierwise.models import ModelError, Segments, fit_segments

AS_OF = "2026-06-30"
HEAD = 'tierwise: 1\nid: seg\nname: 细分\nversion: "1"\n'
STANDARD = (
    HEAD
    + """grades: [核心, 成长, 沉睡]
indicators:
  orders: {attribute: orders}
  spend: {attribute: spend}
  idle_days: {attribute: idle_days}
grade:
  cluster:
    on: {orders: [低频, 高频], spend: [低额, 高额], idle_days: [近期活跃, 久未购买]}
    segments: [核心, 成长, 沉睡]
    rank_by: {orders: 1, spend: 1, idle_days: -1}
    seed: 7
"""
)
BLOBS = {  # three kinds of customer, far apart: (orders, spend, idle days)
    "core": (20.0, 50_000.0, 10.0),
    "growth": (6.0, 8_000.0, 60.0),
    "asleep": (1.0, 500.0, 400.0),
}


def _customers(per: int = 60, seed: int = 1, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for kind, (orders, spend, idle) in BLOBS.items():
        for i in range(per):
            rows.append(
                {
                    "customer_id": f"{kind}-{i:03d}",
                    "orders": orders * (1 + shift) + rng.normal(0, 1),
                    "spend": spend * (1 + shift) + rng.normal(0, 400),
                    "idle_days": idle * (1 + shift) + rng.normal(0, 5),
                }
            )
    return pd.DataFrame(rows)


def _grades(result: Any) -> dict[str, str]:
    frame = result.to_pandas()
    return dict(zip(frame["customer_id"], frame["grade"], strict=True))


def test_cluster_finds_the_planted_segments_and_names_each_by_its_centre() -> None:
    result = tierwise.evaluate(tierwise.loads_standard(STANDARD), {"customers": _customers()}, AS_OF)
    grades = _grades(result)
    assert {grades[f"core-{i:03d}"] for i in range(60)} == {"核心"}
    assert {grades[f"growth-{i:03d}"] for i in range(60)} == {"成长"}
    assert {grades[f"asleep-{i:03d}"] for i in range(60)} == {"沉睡"}
    segments = result.segments()
    assert list(segments["grade"]) == ["核心", "成长", "沉睡"]
    assert list(segments["customers"]) == [60, 60, 60]
    assert segments["name"].iloc[0] == "高频、高额、近期活跃"
    assert segments["name"].iloc[2] == "低频、低额、久未购买"
    assert segments["mean_spend"].iloc[0] == pytest.approx(50_000, rel=0.02)
    reason = result.to_pandas().set_index("customer_id").loc["core-000", "reason"]
    assert reason.endswith("：最接近「高频、高额、近期活跃」群的中心 → 核心")


def test_cluster_reasons_in_english_use_english_words_where_the_standard_gives_none() -> None:
    text = STANDARD.replace(
        "{orders: [低频, 高频], spend: [低额, 高额], idle_days: [近期活跃, 久未购买]}", "[orders, spend]"
    )
    text = text.replace("{orders: 1, spend: 1, idle_days: -1}", "spend")
    result = tierwise.evaluate(tierwise.loads_standard(text), {"customers": _customers()}, AS_OF, lang="en")
    assert result.segments()["name"].iloc[0] == "high orders, high spend"
    assert result.to_pandas()["reason"].str.contains(": nearest the centre of 'high orders, high spend' → 核心").any()


def test_cluster_grades_do_not_depend_on_the_order_of_the_rows() -> None:
    data = _customers()
    standard = tierwise.loads_standard(STANDARD)
    first = _grades(tierwise.evaluate(standard, {"customers": data}, AS_OF))
    again = _grades(tierwise.evaluate(standard, {"customers": data.sample(frac=1, random_state=3)}, AS_OF))
    assert first == again


def test_a_later_fit_keeps_each_grade_on_the_same_kind_of_customer() -> None:
    # on its own, ranking by idle days puts the sleeping customers first; matched to the earlier fit it does not
    standard = tierwise.loads_standard(STANDARD)
    first = tierwise.evaluate(standard, {"customers": _customers()}, AS_OF)
    reranked = tierwise.loads_standard(STANDARD.replace("{orders: 1, spend: 1, idle_days: -1}", "idle_days"))
    alone = _grades(tierwise.evaluate(reranked, {"customers": _customers(seed=2, shift=0.1)}, AS_OF))
    assert alone["asleep-000"] == "核心"
    matched = tierwise.evaluate(reranked, {"customers": _customers(seed=2, shift=0.1)}, AS_OF, previous=first.models)
    grades = _grades(matched)
    assert (grades["core-000"], grades["growth-000"], grades["asleep-000"]) == ("核心", "成长", "沉睡")
    segments = matched.segments()
    assert (segments["moved"] > 0).all()
    (record,) = matched.models.values()
    assert record["matched"] is True


def test_stored_segments_reproduce_the_grades_exactly_without_fitting() -> None:
    standard = tierwise.loads_standard(STANDARD)
    first = tierwise.evaluate(standard, {"customers": _customers()}, AS_OF)
    other_data = {"customers": _customers(seed=9, shift=0.3)}
    pinned = tierwise.evaluate(standard, other_data, AS_OF, models=first.models)
    assert pinned.models == first.models  # the same centres, not a new fit
    refit = tierwise.evaluate(standard, other_data, AS_OF)
    assert refit.models != first.models


def test_a_customer_missing_a_value_takes_the_missing_grade_and_says_which() -> None:
    data = _customers()
    data.loc[0, "spend"] = None
    result = tierwise.evaluate(tierwise.loads_standard(STANDARD), {"customers": data}, AS_OF)
    row = result.to_pandas().set_index("customer_id").loc["core-000"]
    assert row["grade"] == "沉睡"
    assert row["reason"] == "spend 无数据 → 沉睡"
    assert "✓ 无数据 → 沉睡" in str(result.explain("core-000"))
    assert sum(result.segments()["customers"]) == 179


def test_explain_shows_the_distance_to_every_centre_and_ticks_the_nearest() -> None:
    result = tierwise.evaluate(tierwise.loads_standard(STANDARD), {"customers": _customers()}, AS_OF, lang="en")
    steps = result.explain("growth-001").steps
    assert steps[:3] == [s for s in steps if s.startswith(("orders =", "spend =", "idle_days ="))]
    ticked = [s for s in steps if s.startswith("✓")]
    assert len(ticked) == 1
    assert ticked[0].endswith("(nearest) → 成长")
    distances = [float(s.split("distance to the centre ")[1].split()[0]) for s in steps if "distance" in s]
    assert len(distances) == 3
    assert min(distances) == distances[1]


def test_the_segments_are_stored_with_a_workspace_run_and_the_next_run_is_matched_to_them(tmp_path: Path) -> None:
    ws = tw.Workspace.init(tmp_path / "ws")
    path = tmp_path / "customers.parquet"
    pq.write_table(__import__("pyarrow").Table.from_pandas(_customers(), preserve_index=False), path)
    tierwise.import_file(ws, "customers", path)
    standard = tmp_path / "seg.yaml"
    standard.write_text(STANDARD, encoding="utf-8")
    day = dt.date.today() - dt.timedelta(days=1)
    first = tw.run_standard(ws, standard, day)
    (record,) = first.models.values()
    assert (record["kind"], record["matched"], record["sizes"]) == ("cluster", False, [60, 60, 60])
    second = tw.run_standard(ws, standard, day)
    (again,) = second.models.values()
    assert (again["matched"], again["labels"]) == (True, record["labels"])
    assert tw.get_run(ws, second.id).models == second.models
    core = next(r for r in tw.run_rows(ws, second.id) if r["customer_id"] == "core-005")
    assert core["grade"] == "核心"
    assert tw.explain_in(ws, second.id, "core-005").grade == "核心"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(-500, 90_000), st.integers(0, 800)), min_size=8, max_size=60),
    st.integers(2, 4),
    st.integers(0, 3),
)
def test_sql_assigns_every_customer_to_the_centre_numpy_finds_nearest(
    rows: list[tuple[int, int, int]], k: int, seed: int
) -> None:
    values = np.array(rows, dtype=np.float64)
    if len(np.unique(values, axis=0)) < k:
        return  # too few distinct customers for k segments: the fit says so (tested below)
    labels = ["核心", "成长", "沉睡", "其他"][:k]
    text = STANDARD.replace("[核心, 成长, 沉睡]", f"[{', '.join(labels)}]").replace("seed: 7", f"seed: {seed}")
    text = text.replace("    seed:", "    log: [spend]\n    seed:")
    data = pd.DataFrame(
        {
            "customer_id": [f"c{i:02d}" for i in range(len(rows))],
            "orders": values[:, 0],
            "spend": values[:, 1],
            "idle_days": values[:, 2],
        }
    )
    result = tierwise.evaluate(tierwise.loads_standard(text), {"customers": data}, AS_OF, reasons=False)
    (record,) = result.models.values()
    segments = Segments.from_dict(record)
    distances = segments.distances(values)
    nearest = distances.min(axis=1)
    grades = _grades(result)
    for i, customer in enumerate(data["customer_id"]):
        chosen = labels.index(grades[customer])
        assert distances[i, chosen] <= nearest[i] * (1 + 1e-9) + 1e-12  # nearest (ties within rounding)
    assert sum(segments.sizes) == len(rows)


def test_too_few_customers_for_the_segments_is_a_located_error() -> None:
    data = _customers().head(2)
    with pytest.raises(tierwise.StandardError) as caught:
        tierwise.evaluate(tierwise.loads_standard(STANDARD, file="seg.yaml"), {"customers": data}, AS_OF)
    assert str(caught.value) == (
        "seg.yaml:11: The cluster grader of 'seg' cannot find its segments: 3 segments need at least 3 customers "
        "with every value (orders, spend, idle_days); the data has 2."
    )


def test_identical_customers_cannot_make_more_segments_than_they_have_kinds() -> None:
    with pytest.raises(ModelError, match="only 2"):
        fit_segments(np.array([[1.0, 2.0]] * 5 + [[3.0, 4.0]] * 5), ("a", "b"), ("x", "y", "z"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("rank_by: {orders: 1, spend: 1, idle_days: -1}", "rank_by: spnd"),
         "seg.yaml:11: The 'rank_by' of the cluster grader names 'spnd', which is not one of its values "
         "(orders, spend, idle_days). Did you mean 'spend'?"),
        (("seed: 7", "seed: 7\n    log: [idle]"),
         "seg.yaml:11: The cluster grader's 'log' names 'idle', which is not one of its values "
         "(orders, spend, idle_days). Did you mean 'idle_days'?"),
        (("segments: [核心, 成长, 沉睡]", "segments: [核心, 成长, 成长]"),
         "seg.yaml:11: Each grade may name one segment of the cluster grader; repeated: 成长."),
        (("segments: [核心, 成长, 沉睡]", "segments: [核心, 成长, 睡眠]"),
         "seg.yaml:13: The grade '睡眠' in the cluster grader is not one of the standard's grades (核心, 成长, 沉睡). "
         "Valid choices: '成长', '核心', '沉睡'."),
        (("seed: 7", "seeds: 7"), "seg.yaml:15: Unknown key 'seeds' in the cluster grader. Did you mean 'seed'?"),
        (("[低频, 高频]", "[高频, 高频]"),
         "seg.yaml:12: The words of 'orders' must be two different, non-empty names, for a low and for a high "
         "centre, like [低频, 高频]. Got ['高频', '高频'] instead (in the cluster grader)."),
    ],
)  # fmt: skip
def test_a_wrong_cluster_grader_is_a_located_sentence(change: tuple[str, str], message: str) -> None:
    with pytest.raises(tierwise.StandardError) as caught:
        tierwise.loads_standard(STANDARD.replace(*change), file="seg.yaml")
    assert message in str(caught.value).splitlines()


def test_a_cluster_under_a_rule_is_refused_on_load() -> None:
    text = (
        STANDARD.replace(
            "grade:\n  cluster:",
            'grade:\n  rules:\n    - when: "orders > 100"\n      then: 核心\n    - otherwise:\n        cluster:',
        )
        .replace("\n    on:", "\n          on:")
        .replace("\n    segments:", "\n          segments:")
    )
    text = text.replace("\n    rank_by:", "\n          rank_by:").replace("\n    seed:", "\n          seed:")
    with pytest.raises(tierwise.StandardError, match="Rule 2 holds a cluster grader, which finds its segments among"):
        tierwise.loads_standard(text, file="seg.yaml")


def test_compiling_a_cluster_without_data_says_the_segments_come_from_the_data() -> None:
    with pytest.raises(tierwise.StandardError, match="finds its segments in the data first"):
        tierwise.compiled_sql(tierwise.loads_standard(STANDARD), as_of=AS_OF)
    sql = tierwise.compiled_sql(tierwise.loads_standard(STANDARD), {"customers": _customers()}, as_of=AS_OF)
    assert '"_tw_grade_cluster_d2"' in sql


def test_a_text_value_cannot_be_segmented() -> None:
    data = _customers().assign(spend=lambda f: np.where(f["spend"] > 5000, "高", "低"))
    with pytest.raises(tierwise.StandardError) as caught:
        tierwise.evaluate(tierwise.loads_standard(STANDARD, file="seg.yaml"), {"customers": data}, AS_OF)
    assert str(caught.value) == (
        "seg.yaml:12: The cluster grader's value 'spend' must be a number. Got a string column instead."
    )
