"""One contract over every grader kind (as scikit-learn's parametrize_with_checks).

Each kind must validate, compile to DuckDB SQL, put every customer of the population in
exactly one of its grades with a reason in Chinese and in English, and explain each
customer with a trace that ends on the grade the SQL gave.
"""

from __future__ import annotations

import random
import re
from typing import Any

import pandas as pd
import pytest

import tierwise
from tierwise.compile import grader_kinds, render_reason
from tierwise.spec import GRADER_KINDS

HEAD = 'tierwise: 1\nid: {id}\nname: 契约 {id}\nversion: "1"\n'
INDICATORS = """
indicators:
  sales_12m: {from: transactions, agg: sum(amount), window: 12 months}
  orders_12m: {from: transactions, agg: count(), window: 12 months}
  recency_days: {from: transactions, agg: "days_between(max(date), as_of)"}
  assets: {attribute: total_assets}
"""

KINDS: dict[str, str] = {
    "ladder": """
grades: [VIP, A, B, C]
grade: {ladder: {on: sales_12m, steps: [{grade: VIP, at_least: 5万}, {grade: A, above: 2万}, {grade: B, at_least: 5k}, {grade: C}]}}
""",
    "rules": """
grades: [特大型, A, 小微型, C]
grade:
  rules:
    - when: "credit"
      then: {ladder: {on: assets, steps: [{grade: 特大型, at_least: 50}, {grade: 小微型}]}}
    - when: "orders_12m >= 3 and region in ['华东', '华南']"
      then: A
    - otherwise: C
""",
    "scorecard": """
grades: [AAA, AA, A, B, C]
grade:
  scorecard:
    criteria:
      - {name: 销售实现, weight: 40, on: rating, points: {好: 100, 较好: 80, 一般: 60, 差: 40}}
      - {name: 资产, weight: 60, on: assets, bands: [{at_least: 80, points: 100}, {at_least: 40, points: 70}, {points: 30}]}
    steps: [{grade: AAA, at_least: 90}, {grade: AA, at_least: 80}, {grade: A, at_least: 70}, {grade: B, at_least: 60}, {grade: C}]
""",
    "pareto": """
grades: [A, B, C]
grade: {pareto: {on: sales_12m, classes: [{grade: A, up_to: 80%}, {grade: B, up_to: 95%}, {grade: C}]}}
""",
    "percentile": """
grades: [铂金, 黄金, 钢铁, 铅]
grade: {percentile: {on: sales_12m, classes: [{grade: 铂金, top: 2%}, {grade: 黄金, top: 10%}, {grade: 钢铁, top: 30%}, {grade: 铅}]}}
""",
    "rfm": """
grades: [重要价值客户, 重要保持客户, 一般客户]
grade:
  rfm:
    recency: recency_days
    frequency: orders_12m
    monetary: sales_12m
    scores: 3
    segments:
      - {grade: 重要价值客户, r: ">=2", f: ">=2", m: 3}
      - {grade: 重要保持客户, m: ">=2"}
      - {grade: 一般客户}
""",
    "map": """
grades: [大型, 中型, 小型]
grade: {map: {on: level, values: {省部级: 大型, 地市级: 中型}, otherwise: 小型}}
""",
    "matrix": """
grades: [战略重点客户, 潜力拓展客户, 常规维护客户]
grade:
  matrix:
    dimensions:
      value: {ladder: {on: sales_12m, steps: [{grade: 高, at_least: 3万}, {grade: 低}]}}
      size:  {pareto: {on: assets, classes: [{grade: 大, up_to: 50%}, {grade: 小}]}}
    cells:
      - {value: 高, size: 大, grade: 战略重点客户}
      - {value: "*", size: 大, grade: 潜力拓展客户}
    otherwise: 常规维护客户
""",
    "cluster": """
grades: [核心客户, 成长客户, 普通客户]
grade:
  cluster:
    on: {sales_12m: [低额, 高额], orders_12m: [低频, 高频], recency_days: [近期活跃, 久未购买]}
    segments: [核心客户, 成长客户, 普通客户]
    rank_by: sales_12m
    log: [sales_12m]
    seed: 3
""",
}
DATA_DRIVEN = {"cluster"}  # graders fitted on the data: their SQL holds what the fit found


def _data(seed: int = 11, customers: int = 80) -> dict[str, pd.DataFrame]:
    rng = random.Random(seed)
    rows = []
    for i in range(customers):
        rows.append(
            {
                "customer_id": f"K{i:03d}",
                "region": rng.choice(["华东", "华南", "华北", None]),
                "credit": rng.random() < 0.3,
                "total_assets": rng.choice([None, *range(0, 120, 7)]),
                "rating": rng.choice(["好", "较好", "一般", "差", None]),
                "level": rng.choice(["省部级", "地市级", "区县级", None]),
            }
        )
    tx = []
    for i in range(customers):
        for _ in range(rng.choice([0, 1, 2, 3, 5, 8])):
            tx.append(
                {
                    "customer_id": f"K{i:03d}",
                    "date": pd.Timestamp("2025-01-01") + pd.Timedelta(days=rng.randrange(0, 500)),
                    "amount": round(rng.paretovariate(1.3) * 3000, 2),
                }
            )
    transactions = pd.DataFrame(tx)
    transactions["date"] = transactions["date"].dt.date
    return {"customers": pd.DataFrame(rows), "transactions": transactions}


DATA = _data()


def test_every_grader_kind_has_a_contract_case() -> None:
    assert set(KINDS) == set(GRADER_KINDS)


@pytest.fixture(scope="module")
def con() -> Any:
    return tierwise.connect()


CJK = {  # every name a standard defines, in Chinese: internal column names must stay unique and stable
    "sales_12m": "近12月销售额",
    "orders_12m": "近12月订单数",
    "recency_days": "最近购买天数",
    "assets": "资产",
    "value": "价值",
    "size": "规模",
}


def _names(text: str, script: str) -> str:
    if script == "ascii":
        return text
    for name, chinese in CJK.items():
        text = re.sub(rf"\b{name}\b", chinese, text)
    return text


@pytest.mark.parametrize("script", ["ascii", "cjk"])
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_grader_kind_meets_the_contract(kind: str, script: str, con: Any) -> None:
    standard = tierwise.loads_standard(_names(HEAD.format(id=f"contract-{kind}") + INDICATORS + KINDS[kind], script))
    assert kind in grader_kinds(standard.grade)

    assert "SELECT" in tierwise.compiled_sql(standard, DATA if kind in DATA_DRIVEN else None, as_of="2026-03-31")

    results = {lang: tierwise.evaluate(standard, DATA, "2026-03-31", lang=lang, con=con) for lang in ("zh", "en")}
    zh, en = (results[lang].to_pandas() for lang in ("zh", "en"))
    customers = set(DATA["customers"]["customer_id"])
    assert set(zh["customer_id"]) == customers
    assert zh["customer_id"].is_unique
    assert zh["grade"].notna().all()
    assert set(zh["grade"]) <= set(standard.grades)
    assert list(zh["grade"]) == list(en["grade"])
    assert (zh["grade_rank"] == zh["grade"].map({g: i + 1 for i, g in enumerate(standard.grades)})).all()
    for frame in (zh, en):
        assert frame["reason"].notna().all()
        assert all(reason.endswith(grade) for reason, grade in zip(frame["reason"], frame["grade"], strict=True))
    assert zh["reason"].ne(en["reason"]).any() or kind in ("ladder", "map")  # words differ where there are words

    for row in zh.itertuples():
        explanation = results["zh"].explain(row.customer_id)
        assert explanation.grade == row.grade
        decided = [s for s in explanation.steps if "→" in s and s.lstrip().startswith("✓")]
        assert decided, (row.customer_id, explanation.steps)
        assert decided[-1].endswith(row.grade), (row.customer_id, explanation.steps)
    assert str(results["en"].explain(zh["customer_id"].iloc[0])).startswith("Customer ")

    # one stored decision, rendered in each language, reads word for word as the query wrote it
    decisions = results["zh"].decisions().to_pylist()
    for lang, frame in (("zh", zh), ("en", en)):
        written = dict(zip(frame["customer_id"], frame["reason"], strict=True))
        models = results[lang].models
        for decision in decisions:
            rendered = render_reason(standard, decision, lang, models)
            assert rendered == written[decision["customer_id"]], (lang, decision)
