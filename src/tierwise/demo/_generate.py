"""A deterministic (seeded) generator of a realistic B2B customer base for the demo.

Customers are enterprises, institutions and individuals with Chinese names, regions and
GB/T 4754 industry sections; each has a heavy-tailed (log-normal) yearly spend, an order
frequency growing with it, a margin rate, a payment habit, a latent quality behind its
assessments, and some churn. Three years of orders, their payments, open opportunities
and the eight-criteria assessments follow from that; staff counts, the six relationship
ratings and the consequences of a power outage come from a random stream of their own. Every column the built-in
standards read is present.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

__all__ = ["AS_OF", "CRITERIA", "OUTAGE_FLAGS", "RELATIONSHIP", "generate"]

AS_OF = dt.date(2026, 3, 31)
START = dt.date(2023, 4, 1)
CRITERIA = ("销售实现", "综合实力", "资源优势", "经营理念", "合作忠诚度", "资信度", "经营管理能力", "与企业的协作")

_REGIONS = (
    "北京",
    "上海",
    "天津",
    "重庆",
    "广东",
    "江苏",
    "浙江",
    "山东",
    "四川",
    "湖北",
    "河南",
    "福建",
    "湖南",
    "安徽",
    "河北",
    "陕西",
    "辽宁",
    "江西",
    "云南",
    "广西",
)
_INDUSTRIES = (
    "A 农、林、牧、渔业",
    "B 采矿业",
    "C 制造业",
    "D 电力、热力、燃气及水生产和供应业",
    "E 建筑业",
    "F 批发和零售业",
    "G 交通运输、仓储和邮政业",
    "H 住宿和餐饮业",
    "I 信息传输、软件和信息技术服务业",
    "J 金融业",
    "K 房地产业",
    "L 租赁和商务服务业",
    "M 科学研究和技术服务业",
    "N 水利、环境和公共设施管理业",
    "O 居民服务、修理和其他服务业",
    "P 教育",
    "Q 卫生和社会工作",
    "R 文化、体育和娱乐业",
    "S 公共管理、社会保障和社会组织",
)
_INDUSTRY_WEIGHTS = np.array([3, 2, 30, 3, 8, 18, 6, 3, 8, 2, 3, 5, 4, 1, 2, 0.5, 0.5, 0.5, 0.5])
_WORDS = (
    "华",
    "东",
    "新",
    "恒",
    "宏",
    "瑞",
    "安",
    "泰",
    "丰",
    "盛",
    "达",
    "信",
    "鑫",
    "远",
    "兴",
    "龙",
    "金",
    "嘉",
    "海",
    "天",
    "中",
    "锦",
    "博",
    "诚",
    "光",
    "明",
    "正",
    "通",
    "联",
    "创",
)
_TRADES = {
    "A": "农业",
    "B": "矿业",
    "C": "制造",
    "D": "能源",
    "E": "建设",
    "F": "商贸",
    "G": "物流",
    "H": "餐饮",
    "I": "科技",
    "J": "投资",
    "K": "置业",
    "L": "商务",
    "M": "科研",
    "N": "环境",
    "O": "服务",
    "P": "教育",
    "Q": "医疗",
    "R": "文化",
    "S": "公共",
}
_SUFFIXES = ("有限公司", "股份有限公司", "集团有限公司", "有限责任公司")
_INSTITUTIONS = (
    "人民医院",
    "第一中学",
    "财政局",
    "税务局",
    "教育局",
    "疾控中心",
    "图书馆",
    "职业学院",
    "卫生院",
    "档案馆",
)
_LEVELS = ("省级", "部级", "直辖市", "地级", "市级", "区级", "县级", "乡级", "镇级", "村级")
_LEVEL_WEIGHTS = np.array([8, 4, 4, 12, 15, 15, 17, 10, 10, 5], dtype=float)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英"
_PRODUCTS = ("标准件", "定制件", "原材料", "设备", "软件服务", "维保服务")
_CHANNELS = ("直销", "经销", "线上")
_STAGES = ("线索", "需求确认", "方案", "谈判")
# the six dimensions of ToG relationship marketing, rated 1-5 by the account manager (relationship-6)
RELATIONSHIP = {
    "rel_acceptance": "接受认可度",
    "rel_participation": "活动参与度",
    "rel_information": "信息传递度",
    "rel_guidance": "日常指导度",
    "rel_project_support": "项目支持度",
    "rel_competitor_preference": "竞争偏向度",
}
# what an outage of the customer's power supply would cause (power-importance), with how often it is true
OUTAGE_FLAGS = {
    "outage_national_security": 0.01,  # 危害国家安全
    "outage_casualties": 0.015,  # 直接引发人身伤亡
    "outage_severe_pollution": 0.01,  # 造成严重环境污染
    "outage_major_political": 0.005,  # 造成重大政治影响
    "outage_major_economic_loss": 0.02,  # 造成重大经济损失
    "outage_wide_disorder": 0.01,  # 较大范围社会公共秩序严重混乱
    "outage_pollution": 0.03,  # 造成较大环境污染
    "outage_political": 0.02,  # 造成较大政治影响
    "outage_economic_loss": 0.05,  # 造成较大经济损失
    "outage_disorder": 0.03,  # 一定范围社会公共秩序严重混乱
    "temporary_supply": 0.03,  # 需要临时特殊供电保障
}


@dataclass(frozen=True)
class _Base:
    ids: np.ndarray
    kind: np.ndarray
    created: np.ndarray  # days since START (may be negative: customer before the log starts)
    spend: np.ndarray  # expected yearly spend
    frequency: np.ndarray  # expected orders per year
    margin: np.ndarray
    payer: np.ndarray  # 0 good, 1 average, 2 poor
    churn: np.ndarray  # day the customer stops ordering (inf: never)
    quality: np.ndarray


def _days(day: dt.date) -> int:
    return (day - START).days


def _dates(days: np.ndarray) -> pa.Array:
    return pa.array(days.astype("int64") + (START - dt.date(1970, 1, 1)).days, pa.int32()).cast(pa.date32())


def _choice(
    rng: np.random.Generator, options: tuple[str, ...], size: int, weights: np.ndarray | None = None
) -> np.ndarray:
    p = None if weights is None else weights / weights.sum()
    return np.array(options, dtype=object)[rng.choice(len(options), size=size, p=p)]


def _customers(rng: np.random.Generator, n: int) -> tuple[pa.Table, _Base]:
    ids = np.array([f"C{i:06d}" for i in range(1, n + 1)], dtype=object)
    kind = _choice(rng, ("enterprise", "institution", "individual"), n, np.array([72.0, 14.0, 14.0]))
    enterprise, institution, individual = kind == "enterprise", kind == "institution", kind == "individual"
    industry = _choice(rng, _INDUSTRIES, n, _INDUSTRY_WEIGHTS)
    industry[institution] = _choice(rng, _INDUSTRIES[-4:], int(institution.sum()))
    industry[individual] = None
    region = _choice(rng, _REGIONS, n)
    first, second = _choice(rng, _WORDS, n), _choice(rng, _WORDS, n)
    names = np.empty(n, dtype=object)
    for i in range(n):
        if enterprise[i]:
            trade = _TRADES[str(industry[i])[0]]
            names[i] = f"{region[i]}{first[i]}{second[i]}{trade}{_SUFFIXES[i % len(_SUFFIXES)]}"
        elif institution[i]:
            names[i] = f"{region[i]}{_INSTITUTIONS[i % len(_INSTITUTIONS)]}"
        else:
            names[i] = _SURNAMES[i % len(_SURNAMES)] + _GIVEN[(i * 7) % len(_GIVEN)] + _GIVEN[(i * 13) % len(_GIVEN)]
    # tenure: most customers are old, about 8% joined in the last six months
    created = np.where(
        rng.random(n) < 0.08,
        rng.integers(_days(AS_OF) - 180, _days(AS_OF) - 5, n),
        rng.integers(_days(dt.date(2012, 1, 1)), _days(dt.date(2025, 9, 1)), n),
    )
    credit = enterprise & (rng.random(n) < 0.45)
    assets = np.where(enterprise, np.exp(rng.normal(np.log(5e7), 2.4, n)), np.nan).round(-3)
    capital = np.where(enterprise, np.exp(rng.normal(np.log(1e7), 2.2, n)), np.nan).round(-3)
    level = _choice(rng, _LEVELS, n, _LEVEL_WEIGHTS)
    level[~institution] = None
    renewal = np.where(individual, np.nan, rng.beta(5, 2, n)).round(3)
    median = np.where(enterprise, 4e5, np.where(institution, 2e5, 2e4))
    spread = np.where(individual, 1.0, 1.6)
    spend = np.exp(rng.normal(np.log(median), spread))
    frequency = np.clip(1 + 3.2 * np.log10(np.maximum(spend, 1e3) / 2e4) + rng.normal(0, 1.5, n), 0.5, 48)
    churn = np.where(rng.random(n) < 0.2, rng.integers(_days(START) + 60, _days(AS_OF) - 30, n), 10**9)
    table = pa.table(
        {
            "customer_id": pa.array(ids, pa.string()),
            "name": pa.array(names, pa.string()),
            "type": pa.array(kind, pa.string()),
            "industry": pa.array(industry, pa.string()),
            "region": pa.array(region, pa.string()),
            "created_at": _dates(created),
            "status": pa.array(np.where(churn < _days(AS_OF), "休眠", "正常"), pa.string()),
            "credit_customer": pa.array(credit, pa.bool_()),
            "total_assets": pa.array(np.where(credit | enterprise, assets, np.nan), pa.float64(), from_pandas=True),
            "registered_capital": pa.array(capital, pa.float64(), from_pandas=True),
            "admin_level": pa.array(level, pa.string()),
            "renewal_rate": pa.array(renewal, pa.float64(), from_pandas=True),
        }
    )
    base = _Base(
        ids,
        kind,
        created,
        spend,
        frequency,
        rng.uniform(0.05, 0.45, n),
        _choice(rng, ("0", "1", "2"), n, np.array([60.0, 30.0, 10.0])).astype(int),
        churn,
        rng.normal(0, 1, n),
    )
    return table, base


def _orders(rng: np.random.Generator, base: _Base) -> tuple[pa.Table, pa.Table]:
    first = np.maximum(base.created, 0)
    last = np.minimum(base.churn, _days(AS_OF))
    years = np.maximum(last - first, 0) / 365.25
    counts = rng.poisson(base.frequency * years)
    owner = np.repeat(np.arange(len(base.ids)), counts)
    day = (first[owner] + rng.random(owner.size) * (last[owner] - first[owner])).astype(int)
    amount = (base.spend[owner] / base.frequency[owner] * rng.lognormal(0, 0.45, owner.size)).round(2)
    margin_rate = np.clip(base.margin[owner] + rng.normal(0, 0.05, owner.size), -0.05, 0.8)
    order = np.argsort(day, kind="stable")
    owner, day, amount, margin_rate = owner[order], day[order], amount[order], margin_rate[order]
    order_ids = np.array([f"SO{i:08d}" for i in range(1, owner.size + 1)], dtype=object)
    transactions = pa.table(
        {
            "customer_id": pa.array(base.ids[owner], pa.string()),
            "date": _dates(day),
            "order_id": pa.array(order_ids, pa.string()),
            "amount": amount,
            "margin": (amount * margin_rate).round(2),
            "product": pa.array(_choice(rng, _PRODUCTS, owner.size), pa.string()),
            "channel": pa.array(_choice(rng, _CHANNELS, owner.size), pa.string()),
        }
    )
    due = day + rng.choice([30, 60], owner.size)
    on_time = rng.random(owner.size) < np.array([0.97, 0.8, 0.5])[base.payer[owner]]
    delay = np.where(on_time, -rng.integers(0, 10, owner.size), rng.integers(1, 90, owner.size))
    unpaid = rng.random(owner.size) < np.array([0.0, 0.01, 0.12])[base.payer[owner]]
    paid = due + delay
    known = (~unpaid) & (paid <= _days(AS_OF))
    payments = pa.table(
        {
            "customer_id": pa.array(base.ids[owner], pa.string()),
            "order_id": pa.array(order_ids, pa.string()),
            "due_date": _dates(due),
            "paid_date": pa.array(np.where(known, _dates(paid).to_numpy(zero_copy_only=False), None), pa.date32()),
            "amount": amount,
        }
    )
    return transactions, payments


def _opportunities(rng: np.random.Generator, base: _Base) -> pa.Table:
    eligible = np.nonzero(base.kind != "individual")[0]
    counts = np.where(rng.random(eligible.size) < 0.55, rng.integers(1, 4, eligible.size), 0)
    owner = np.repeat(eligible, counts)
    size = owner.size
    need = _choice(rng, ("明确", "潜在", "无"), size, np.array([60.0, 30.0, 10.0]))
    as_of = _days(AS_OF)
    return pa.table(
        {
            "customer_id": pa.array(base.ids[owner], pa.string()),
            "opportunity_id": pa.array([f"OP{i:07d}" for i in range(1, size + 1)], pa.string()),
            "created_at": _dates(as_of - rng.integers(0, 300, size)),
            "stage": pa.array(_choice(rng, _STAGES, size), pa.string()),
            "need": pa.array(need, pa.string()),
            "expected_close": _dates(as_of + rng.integers(-10, 400, size)),
            "needed_by": _dates(as_of + rng.integers(0, 240, size)),
            "amount": (np.exp(rng.normal(np.log(3e5), 1.2, size))).round(-2),
            "need_match": rng.uniform(0.2, 1.0, size).round(2),
            "decision_cycle_months": rng.integers(1, 13, size),
            "budget_confirmed": pa.array(rng.random(size) < 0.4, pa.bool_()),
        }
    )


def _assessments(rng: np.random.Generator, base: _Base) -> pa.Table:
    assessed = np.nonzero((base.kind != "individual") & (rng.random(base.ids.size) < 0.9))[0]
    rounds = 2
    owner = np.repeat(assessed, len(CRITERIA) * rounds)
    criterion = np.tile(np.array(CRITERIA, dtype=object), assessed.size * rounds)
    round_index = np.tile(np.repeat(np.arange(rounds), len(CRITERIA)), assessed.size)
    day = _days(AS_OF) - 365 * (rounds - 1 - round_index) - rng.integers(10, 200, owner.size)
    score = base.quality[owner] + rng.normal(0, 0.7, owner.size) + 0.3 * np.log10(base.spend[owner] / 4e5)
    rating = np.select([score > 0.9, score > 0.0, score > -0.9], ["好", "较好", "一般"], "差")
    return pa.table(
        {
            "customer_id": pa.array(base.ids[owner], pa.string()),
            "criterion": pa.array(criterion, pa.string()),
            "rating": pa.array(rating, pa.string()),
            "assessed_at": _dates(day),
            "assessor": pa.array(_choice(rng, ("销售部", "财务部", "客服部"), owner.size), pa.string()),
        }
    )


def _profile(seed: int, table: pa.Table, base: _Base) -> pa.Table:
    """Staff counts, relationship ratings and outage consequences, from a stream of their own (the other
    tables stay what they were)."""
    rng = np.random.default_rng([seed, 4754])
    n = len(base.ids)
    organisation = base.kind != "individual"
    staff = np.exp(rng.normal(np.log(120) + 0.35 * np.log10(base.spend / 4e5), 1.5, n)).round()
    columns = {
        "staff_count": pa.array(np.where(organisation, np.maximum(staff, 1), np.nan), pa.float64(), from_pandas=True)
    }
    for column in RELATIONSHIP:
        score = np.clip(np.round(3 + 0.9 * base.quality + rng.normal(0, 0.8, n)), 1, 5)
        columns[column] = pa.array(np.where(organisation, score, np.nan), pa.float64(), from_pandas=True)
    for column, share in OUTAGE_FLAGS.items():
        columns[column] = pa.array(organisation & (rng.random(n) < share), pa.bool_())
    for name, values in columns.items():
        table = table.append_column(name, values)
    return _industry_codes(seed, table)


def _industry_codes(seed: int, table: pa.Table) -> pa.Table:
    """Each organisation's GB/T 4754 大类 code, one of its section's (a stream of its own); one institution
    in a hundred is an international organisation (门类 T)."""
    from tierwise.spec import industry_codes

    rng = np.random.default_rng([seed, 4754, 2])
    divisions: dict[str, list[str]] = {}
    for entry in industry_codes():
        if entry.level == "大类":
            divisions.setdefault(entry.section, []).append(entry.code)
    industry = np.array(table["industry"].to_pylist(), dtype=object)
    kinds = np.array(table["type"].to_pylist(), dtype=object)
    international = (kinds == "institution") & (rng.random(len(industry)) < 0.01)
    industry[international] = "T 国际组织"
    codes = np.array(
        [rng.choice(divisions[str(section)[0]]) if section is not None else None for section in industry], dtype=object
    )
    position = table.column_names.index("industry")
    table = table.set_column(position, "industry", pa.array(industry, pa.string()))
    table = table.append_column("industry_code", pa.array(codes, pa.string()))
    # when each profile was last brought up to date: between joining and the demo's date, mostly lately
    created = table["created_at"].to_numpy(zero_copy_only=False).astype("datetime64[D]")
    span = (np.datetime64(AS_OF) - created).astype(np.int64)
    updated = np.datetime64(AS_OF) - (rng.random(len(span)) ** 4 * span).astype(np.int64)  # mostly recent
    return table.append_column("updated_at", pa.array(updated.astype("datetime64[D]"), pa.date32()))


def generate(customers: int = 6000, seed: int = 20260331) -> dict[str, pa.Table]:
    """Generate the demo tables: customers, transactions, payments, opportunities, assessments.

    The same ``customers`` and ``seed`` always give the same tables.

    Examples
    --------
    >>> tables = generate(customers=200, seed=1)
    >>> sorted(tables), tables["customers"].num_rows
    (['assessments', 'customers', 'opportunities', 'payments', 'transactions'], 200)
    """
    if customers < 1:
        raise ValueError(f"The demo needs at least one customer. Got {customers} instead.")
    rng = np.random.default_rng(seed)
    table, base = _customers(rng, customers)
    transactions, payments = _orders(rng, base)
    return {
        "customers": _profile(seed, table, base),
        "transactions": transactions,
        "payments": payments,
        "opportunities": _opportunities(rng, base),
        "assessments": _assessments(rng, base),
    }
