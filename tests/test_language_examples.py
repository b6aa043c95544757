"""Every example of LANGUAGE.md, loaded, evaluated, and graded as the spec implies."""

from __future__ import annotations

import math

import pytest
from tests.conftest import Grades, write_standard

import tierwise

HEAD = """
tierwise: 1
id: {id}
name: 示例
version: "1"
"""


def test_section2_annual_sales_file_grades_by_12_month_sales(grades: Grades) -> None:
    standard = """
    tierwise: 1                 # language version
    id: annual-sales            # slug, unique
    name: 年度销售额分级
    version: "2026.1"           # recorded on every run
    grades: [VIP, A, B, C]      # best first; the order is the direction of up/down
    population: "type == 'enterprise'"   # optional; customers outside get no grade
    indicators:
      sales_12m: {from: transactions, agg: sum(amount), window: 12 months}
    grade:
      ladder:
        on: sales_12m
        steps:
          - {grade: VIP, at_least: 1000万}
          - {grade: A, at_least: 500万}
          - {grade: B, at_least: 200万}
          - {grade: C}
    """
    customers = [
        {"customer_id": c, "type": t}
        for c, t in [
            ("1", "enterprise"),
            ("2", "enterprise"),
            ("3", "enterprise"),
            ("4", "enterprise"),
            ("5", "individual"),
        ]
    ]
    transactions = [
        {"customer_id": "1", "date": "2026-03-31", "amount": 10_000_000},  # exactly 1000万 on as_of
        {"customer_id": "2", "date": "2026-01-01", "amount": 9_999_999},
        {"customer_id": "3", "date": "2025-04-01", "amount": 2_000_000},  # first day inside the window
        {"customer_id": "3", "date": "2025-03-31", "amount": 8_000_000},  # as_of - 12 months: outside
        {"customer_id": "4", "date": "2026-04-01", "amount": 50_000_000},  # after as_of: never counts
        {"customer_id": "5", "date": "2026-01-01", "amount": 50_000_000},
    ]
    got = grades(standard, {"customers": customers, "transactions": transactions})
    assert got == {"1": "VIP", "2": "A", "3": "B", "4": "C"}


def test_section4_indicators_compute_one_value_per_customer(grades: Grades) -> None:
    value_grade = (
        HEAD.format(id="value-grade")
        + """
grades: [高, 低]
indicators:
  sales_all: {from: transactions, agg: sum(amount)}
grade: {ladder: {on: sales_all, steps: [{grade: 高, at_least: 1000}, {grade: 低}]}}
"""
    )
    standard = (
        HEAD.format(id="indicators")
        + """
grades: [A]
indicators:
  total_assets: {attribute: total_assets}                    # a customers column
  sales_12m:    {from: transactions, agg: sum(amount), window: 12 months}
  margin_12m:   {from: transactions, agg: sum(margin), window: 12 months}
  orders_12m:   {from: transactions, agg: count(), window: 12 months}
  order_days:   {from: transactions, agg: count_distinct(date)}
  recency_days: {from: transactions, agg: days_between(max(date), as_of)}
  margin_rate:  {expr: "margin_12m / sales_12m"}             # from other indicators
  on_time_rate: {from: payments, agg: "mean(paid_date <= due_date)", window: 12 months}
  big_orders:   {from: transactions, agg: count(), where: "amount >= 100万", window: 1 year}
  value_level:  {standard: value-grade}                      # another standard's grade
grade: {ladder: {on: total_assets, steps: [{grade: A}]}}
"""
    )
    customers = [{"customer_id": "1", "total_assets": 5.5}, {"customer_id": "2", "total_assets": None}]
    transactions = [
        {"customer_id": "1", "date": "2026-03-01", "amount": 2_000_000, "margin": 200_000},
        {"customer_id": "1", "date": "2026-03-01", "amount": 500, "margin": 100},
        {"customer_id": "1", "date": "2024-01-10", "amount": 700, "margin": 0},
    ]
    payments = [
        {"customer_id": "1", "due_date": "2026-01-31", "paid_date": "2026-01-30"},
        {"customer_id": "1", "due_date": "2026-02-28", "paid_date": "2026-03-05"},
        {"customer_id": "1", "due_date": "2026-03-31", "paid_date": "2026-03-31"},
        {"customer_id": "1", "due_date": "2026-04-30", "paid_date": "2026-05-30"},  # due after as_of
    ]
    tables = {"customers": customers, "transactions": transactions, "payments": payments}
    values = {
        name: grades(standard, tables, extra=[value_grade], column=name)
        for name in (
            "total_assets",
            "sales_12m",
            "margin_12m",
            "orders_12m",
            "order_days",
            "recency_days",
            "margin_rate",
            "on_time_rate",
            "big_orders",
            "value_level",
        )
    }
    one = {name: v["1"] for name, v in values.items()}
    assert one == {
        "total_assets": 5.5,
        "sales_12m": 2_000_500,
        "margin_12m": 200_100,
        "orders_12m": 3 - 1,
        "order_days": 2,
        "recency_days": 30,
        "margin_rate": pytest.approx(200_100 / 2_000_500),
        "on_time_rate": pytest.approx(2 / 3),
        "big_orders": 1,
        "value_level": "高",
    }
    two = {name: v["2"] for name, v in values.items()}
    # no rows: sum and count give 0, every other aggregate null; 0 / 0 is null, not an error
    assert two["sales_12m"] == 0
    assert two["orders_12m"] == 0
    assert two["big_orders"] == 0
    for name in ("order_days",):
        assert two[name] == 0
    for name in ("recency_days", "on_time_rate", "margin_rate", "total_assets"):
        assert two[name] is None or (isinstance(two[name], float) and math.isnan(two[name])), name
    assert two["value_level"] == "低"


def test_section6_ladder_takes_the_first_step_whose_bound_holds(grades: Grades) -> None:
    standard = (
        HEAD.format(id="ladder")
        + """
grades: [VIP, A, C]
indicators: {sales_12m: {attribute: sales}}
grade:
  ladder:
    on: sales_12m
    steps: [{grade: VIP, at_least: 1000万}, {grade: A, at_least: 500万}, {grade: C}]
"""
    )
    customers = [
        {"customer_id": str(i), "sales": s}
        for i, s in enumerate([10_000_000, 9_999_999.99, 5_000_000, 4_999_999, 0, -5, None])
    ]
    assert grades(standard, {"customers": customers}) == {
        "0": "VIP",
        "1": "A",
        "2": "A",
        "3": "C",
        "4": "C",
        "5": "C",
        "6": "C",
    }


def test_section6_rules_first_match_wins_and_nest_a_ladder(grades: Grades) -> None:
    standard = (
        HEAD.format(id="rules")
        + """
grades: [特大型, A, 小微型, C]
indicators:
  monthly_orders: {from: transactions, agg: sum(amount) / 12, window: 12 months}
  margin_order_share: {from: transactions, agg: "mean(margin >= 20% * amount)", window: 12 months}
grade:
  rules:
    - when: "credit_customer"
      then: {ladder: {on: total_assets, steps: [{grade: 特大型, at_least: 300亿}, {grade: 小微型}]}}
    - when: "monthly_orders >= 100万 and margin_order_share >= 80%"
      then: A
    - otherwise: C
"""
    )
    customers = [
        {"customer_id": "big", "credit_customer": True, "total_assets": 30_000_000_000},
        {"customer_id": "small", "credit_customer": True, "total_assets": 29_999_999_999},
        {"customer_id": "busy", "credit_customer": False, "total_assets": 1},
        {"customer_id": "thin", "credit_customer": False, "total_assets": 1},
        {"customer_id": "unknown", "credit_customer": None, "total_assets": 1},
    ]
    tx = []
    for i in range(12):  # one order a month, 2025-04-15 .. 2026-03-15
        day = f"{2025 + (i + 3) // 12}-{(i + 3) % 12 + 1:02d}-15"
        tx.append({"customer_id": "busy", "date": day, "amount": 1_000_000, "margin": 200_000})
        tx.append({"customer_id": "thin", "date": day, "amount": 1_000_000, "margin": 100_000 if i % 2 else 300_000})
    got = grades(standard, {"customers": customers, "transactions": tx})
    assert got == {"big": "特大型", "small": "小微型", "busy": "A", "thin": "C", "unknown": "C"}


def test_section6_scorecard_weights_points_and_bands(grades: Grades) -> None:
    # The two criteria of LANGUAGE.md verbatim; the example elides the rest, so two more
    # criteria bring the weights to 100 as the language requires.
    standard = (
        HEAD.format(id="scorecard")
        + """
grades: [AAA, AA, A, B, C]
indicators:
  rating_sales: {from: assessments, agg: latest(rating), where: "criterion == '销售实现'", date: assessed_at}
  on_time_rate: {attribute: on_time}
  rating_rest:  {attribute: rest}
grade:
  scorecard:
    criteria:
      - {name: 销售实现, weight: 20, on: rating_sales, points: {好: 100, 较好: 80, 一般: 60, 差: 40}}
      - {name: 资信度, weight: 15, on: on_time_rate,
         bands: [{at_least: 95%, points: 100}, {at_least: 85%, points: 80}, {points: 50}]}
      - {name: 综合实力, weight: 35, on: rating_rest, points: {好: 100, 较好: 80, 一般: 60, 差: 40}}
      - {name: 合作忠诚度, weight: 30, on: rating_rest, points: {好: 100, 较好: 80, 一般: 60, 差: 40}}
    missing_points: 0
    steps: [{grade: AAA, at_least: 90}, {grade: AA, at_least: 80}, {grade: A, at_least: 70},
            {grade: B, at_least: 60}, {grade: C}]
"""
    )
    customers = [
        {"customer_id": "top", "on_time": 0.95, "rest": "好"},  # 20+15+35+30 = 100
        {"customer_id": "edge", "on_time": 0.85, "rest": "好"},  # 20+12+65 = 97 -> AAA
        {"customer_id": "mid", "on_time": 0.80, "rest": "较好"},  # 16 + 7.5 + 52 = 75.5 -> A
        {"customer_id": "nodata", "on_time": None, "rest": "一般"},  # 0 + 0 + 39 = 39 -> C
    ]
    assessments = [
        {"customer_id": "top", "criterion": "销售实现", "rating": "差", "assessed_at": "2025-01-01"},
        {"customer_id": "top", "criterion": "销售实现", "rating": "好", "assessed_at": "2026-01-01"},
        {"customer_id": "edge", "criterion": "销售实现", "rating": "好", "assessed_at": "2026-01-01"},
        {"customer_id": "mid", "criterion": "销售实现", "rating": "较好", "assessed_at": "2026-01-01"},
        {"customer_id": "mid", "criterion": "其他", "rating": "好", "assessed_at": "2026-02-01"},
    ]
    tables = {"customers": customers, "assessments": assessments}
    assert grades(standard, tables) == {"top": "AAA", "edge": "AAA", "mid": "A", "nodata": "C"}
    assert grades(standard, tables, column="gap_to_next")["mid"] == pytest.approx(80 - 75.5)


def test_section6_pareto_customer_crossing_the_cut_stays_in_a(grades: Grades) -> None:
    standard = (
        HEAD.format(id="pareto")
        + """
grades: [A, B, C]
indicators: {sales_12m: {attribute: sales}}
grade:
  pareto: {on: sales_12m, classes: [{grade: A, up_to: 80%}, {grade: B, up_to: 95%}, {grade: C}]}
"""
    )
    customers = [
        {"customer_id": c, "sales": s}
        for c, s in [("a", 50), ("b", 30), ("c", 15), ("d", 5), ("e", 0), ("f", -3), ("g", None)]
    ]
    assert grades(standard, {"customers": customers}) == {
        "a": "A",
        "b": "A",
        "c": "B",
        "d": "C",
        "e": "C",
        "f": "C",
        "g": "C",
    }


def test_section6_pareto_ties_are_ordered_by_customer_id(grades: Grades) -> None:
    standard = (
        HEAD.format(id="pareto")
        + """
grades: [A, B, C]
indicators: {sales_12m: {attribute: sales}}
grade:
  pareto: {on: sales_12m, classes: [{grade: A, up_to: 80%}, {grade: B, up_to: 95%}, {grade: C}]}
"""
    )
    customers = [{"customer_id": c, "sales": 20} for c in ["d", "a", "e", "c", "b"]]
    # shares before: a 0%, b 20%, c 40%, d 60%, e 80% (not < 80%)
    assert grades(standard, {"customers": customers}) == {"a": "A", "b": "A", "c": "A", "d": "A", "e": "B"}


def test_section6_percentile_pyramid_equal_values_share_a_class(grades: Grades) -> None:
    standard = (
        HEAD.format(id="pyramid")
        + """
grades: [铂金, 黄金, 钢铁, 铅]
indicators: {profit_12m: {attribute: profit}}
grade:
  percentile: {on: profit_12m, classes: [{grade: 铂金, top: 1%}, {grade: 黄金, top: 5%},
                                         {grade: 钢铁, top: 20%}, {grade: 铅}]}
"""
    )
    customers = [{"customer_id": f"c{v:03d}", "profit": v} for v in range(1, 101)]
    customers[0]["profit"] = 100  # c001 ties with c100 at the top
    got = grades(standard, {"customers": customers})
    assert got["c100"] == got["c001"] == "铂金"  # nobody strictly above: 0% < 1%
    assert got["c099"] == "黄金"  # 2 of 100 above: 2% < 5%
    assert got["c097"] == "黄金"  # 4 above
    assert got["c096"] == "钢铁"  # 5 above: 5% is not < 5%
    assert got["c082"] == "钢铁"  # 19 above
    assert got["c081"] == "铅"  # 20 above: 20% is not < 20%
    assert got["c002"] == "铅"


RFM_SEGMENTS = """
    segments:
      - {grade: 重要价值客户, r: high, f: high, m: high}
      - {grade: 重要发展客户, r: high, f: low,  m: high}
      - {grade: 重要保持客户, r: low,  f: high, m: high}
      - {grade: 重要挽留客户, r: low,  f: low,  m: high}
      - {grade: 一般价值客户, r: high, f: high, m: low}
      - {grade: 一般发展客户, r: high, f: low,  m: low}
      - {grade: 一般保持客户, r: low,  f: high, m: low}
      - {grade: 一般挽留客户, r: low,  f: low,  m: low}
"""
RFM_GRADES = "grades: [重要价值客户, 重要发展客户, 重要保持客户, 重要挽留客户, 一般价值客户, 一般发展客户, 一般保持客户, 一般挽留客户]"


def test_section6_rfm_mean_split_gives_the_eight_classes(grades: Grades) -> None:
    standard = (
        HEAD.format(id="rfm-8")
        + RFM_GRADES
        + """
indicators:
  recency_days: {attribute: r}
  orders_12m: {attribute: f}
  sales_12m: {attribute: m}
grade:
  rfm:
    recency: recency_days      # lower is better
    frequency: orders_12m
    monetary: sales_12m
    split: mean                # high/low per dimension: value >= mean is high (recency: <=)
"""
        + RFM_SEGMENTS
    )
    # means: r = 50.5, f = 5.5, m = 5.5; customer names spell r/f/m high (H) or low (L)
    rows = []
    for r in "HL":
        for f in "HL":
            for m in "HL":
                rows.append(
                    {
                        "customer_id": r + f + m,
                        "r": 1 if r == "H" else 100,
                        "f": 10 if f == "H" else 1,
                        "m": 10 if m == "H" else 1,
                    }
                )
    got = grades(standard, {"customers": rows})
    assert got == {
        "HHH": "重要价值客户",
        "HLH": "重要发展客户",
        "LHH": "重要保持客户",
        "LLH": "重要挽留客户",
        "HHL": "一般价值客户",
        "HLL": "一般发展客户",
        "LHL": "一般保持客户",
        "LLL": "一般挽留客户",
    }


def test_section6_rfm_value_equal_to_mean_is_high(grades: Grades) -> None:
    standard = (
        HEAD.format(id="rfm-8")
        + RFM_GRADES
        + """
indicators: {recency_days: {attribute: r}, orders_12m: {attribute: f}, sales_12m: {attribute: m}}
grade:
  rfm:
    recency: recency_days
    frequency: orders_12m
    monetary: sales_12m
    split: mean
"""
        + RFM_SEGMENTS
    )
    rows = [{"customer_id": "a", "r": 10, "f": 5, "m": 5}, {"customer_id": "b", "r": 10, "f": 5, "m": 5}]
    assert grades(standard, {"customers": rows}) == {"a": "重要价值客户", "b": "重要价值客户"}


def test_section6_rfm_scores_give_equal_values_the_same_score(grades: Grades) -> None:
    standard = (
        HEAD.format(id="rfm-scores")
        + """
grades: [重要价值客户, 一般客户]
indicators: {recency_days: {attribute: r}, orders_12m: {attribute: f}, sales_12m: {attribute: m}}
grade:
  rfm:
    recency: recency_days
    frequency: orders_12m
    monetary: sales_12m
    scores: 5
    segments:
      - {grade: 重要价值客户, r: ">=4", f: ">=4", m: ">=4"}
      - {grade: 一般客户}
"""
    )
    # 10 customers; with N = 10 and K = 5 the score is 1 + floor(5 W / 10)
    rows = [{"customer_id": f"c{i}", "r": 10 - i, "f": i, "m": i} for i in range(10)]
    rows.append({"customer_id": "twin", "r": 1, "f": 9, "m": 9})  # ties c9 on every value
    got = grades(standard, {"customers": rows})
    # W for c9's frequency 9 = 9 strictly smaller of 11 -> 1 + floor(45/11) = 5 ; same for twin
    assert got["c9"] == got["twin"] == "重要价值客户"
    # c7: W = 7 -> 1 + floor(35/11) = 4 (>= 4), recency 3 has 8 worse (larger) -> 4
    assert got["c7"] == "重要价值客户"
    # c6: W = 6 -> 1 + floor(30/11) = 3
    assert got["c6"] == "一般客户"


def test_section6_map_by_administrative_level(grades: Grades) -> None:
    standard = (
        HEAD.format(id="institution")
        + """
grades: [大型, 中型, 小型]
grade:
  map: {on: admin_level, values: {省部级: 大型, 直辖市: 大型, 地市级: 中型, 区县级: 中型}, otherwise: 小型}
"""
    )
    customers = [
        {"customer_id": c, "admin_level": lvl}
        for c, lvl in [("1", "省部级"), ("2", "直辖市"), ("3", "地市级"), ("4", "区县级"), ("5", "乡镇级"), ("6", None)]
    ]
    assert grades(standard, {"customers": customers}) == {
        "1": "大型",
        "2": "大型",
        "3": "中型",
        "4": "中型",
        "5": "小型",
        "6": "小型",
    }


def test_section6_matrix_cells_tried_in_order_with_wildcards(grades: Grades) -> None:
    potential = (
        HEAD.format(id="potential-grade")
        + """
grades: [高, 中, 低]
indicators: {match: {attribute: need_match}}
grade: {ladder: {on: match, steps: [{grade: 高, at_least: 80%}, {grade: 中, at_least: 50%}, {grade: 低}]}}
"""
    )
    standard = (
        HEAD.format(id="vpu")
        + """
grades: [战略重点客户, 潜力拓展客户, 常规维护客户]
indicators:
  sales_12m: {attribute: sales}
  days_to_close: {attribute: days}
grade:
  matrix:
    dimensions:
      value:     {ladder: {on: sales_12m, steps: [{grade: 高, at_least: 50万}, {grade: 中, at_least: 10万}, {grade: 低}]}}
      potential: {standard: potential-grade}
      urgency:   {ladder: {on: days_to_close, steps: [{grade: 紧急, at_most: 30}, {grade: 常规, at_most: 90}, {grade: 观察}]}}
    cells:
      - {value: 高, potential: 高, grade: 战略重点客户}
      - {value: "*", potential: 高, urgency: 紧急, grade: 潜力拓展客户}
    otherwise: 常规维护客户
"""
    )
    customers = [
        {"customer_id": "1", "sales": 500_000, "need_match": 0.8, "days": 200},
        {"customer_id": "2", "sales": 1, "need_match": 0.9, "days": 30},
        {"customer_id": "3", "sales": 1, "need_match": 0.9, "days": 31},
        {"customer_id": "4", "sales": 499_999, "need_match": 0.9, "days": 90},
    ]
    tables = {"customers": customers}
    assert grades(standard, tables, extra=[potential]) == {
        "1": "战略重点客户",
        "2": "潜力拓展客户",
        "3": "常规维护客户",
        "4": "常规维护客户",
    }
    assert grades(standard, tables, extra=[potential], column="urgency") == {
        "1": "观察",
        "2": "紧急",
        "3": "常规",
        "4": "常规",
    }


def test_section8_lifecycle_and_policies_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = write_standard(
        tmp_path,
        HEAD.format(id="with-lifecycle")
        + """
grades: [VIP, A, B]
indicators: {sales_12m: {from: transactions, agg: sum(amount), window: 12 months}}
grade: {ladder: {on: sales_12m, steps: [{grade: VIP, at_least: 1000万}, {grade: A, at_least: 100万}, {grade: B}]}}
lifecycle:
  cadence: {every: year, on: "03-25..03-30"}  # the window of the scheduled evaluation
  provisional: {tenure_below: 6 months}     # new customers: provisional grade, reviewed later
  downgrade: {hold: 1, max_steps: 1}        # one evaluation of grace; at most one grade down
  upgrade: automatic                        # or: by_application
  overrides: {approval: required, max_duration: 12 months}
policies:
  VIP: {客户经理: 专属, 拜访频率: 每月, 产能优先级: 1}
  A:   {客户经理: 专属, 拜访频率: 每季度}
""",
    )
    standard = tierwise.load_standard(path)
    assert standard.lifecycle is not None
    assert standard.lifecycle.downgrade is not None
    assert standard.lifecycle.downgrade.hold == 1
    assert standard.lifecycle.cadence is not None
    assert (standard.lifecycle.cadence.first_day, standard.lifecycle.cadence.last_day) == ("03-25", "03-30")
    assert str(standard.lifecycle.provisional.tenure_below) == "6 months"  # type: ignore[union-attr]
    assert standard.policies == {
        "VIP": {"客户经理": "专属", "拜访频率": "每月", "产能优先级": 1},
        "A": {"客户经理": "专属", "拜访频率": "每季度"},
    }
