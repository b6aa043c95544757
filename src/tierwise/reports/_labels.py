"""Report column labels and sheet titles in Chinese and English: one catalogue, keyed by the column name."""

from __future__ import annotations

__all__ = ["LABELS", "label"]

LABELS: dict[str, tuple[str, str]] = {
    "grade": ("等级", "Grade"),
    "customers": ("客户数", "Customers"),
    "customer_share": ("客户占比", "Share of customers"),
    "value": ("金额", "Value"),
    "value_share": ("金额占比", "Share of value"),
    "cum_customer_share": ("累计客户占比", "Cumulative share of customers"),
    "cum_value_share": ("累计金额占比", "Cumulative share of value"),
    "min_value": ("最小值", "Smallest value"),
    "max_value": ("最大值", "Largest value"),
    "rank": ("排名", "Rank"),
    "customer_id": ("客户编号", "Customer"),
    "name": ("客户名称", "Name"),
    "region": ("区域", "Region"),
    "industry": ("行业", "Industry"),
    "type": ("客户类型", "Type"),
    "state": ("状态", "State"),
    "reason": ("评级依据", "Reason"),
    "evaluated": ("评定等级", "Evaluated grade"),
    "until": ("有效期至", "Until"),
    "requested_by": ("申请人", "Requested by"),
    "decided_by": ("审批人", "Approved by"),
    "why": ("理由", "Why"),
    "share_of_customers": ("占全部客户比例", "Share of all customers"),
    "share_in_region": ("占区域客户比例", "Share of the region's customers"),
    "share_of_region_value": ("占区域销售额比例", "Share of the region's sales"),
    "合计": ("合计", "Total"),
    "entitlement": ("服务权益", "Entitlement"),
    "before": ("原等级", "Grade before"),
    "after": ("新等级", "Grade after"),
    "share": ("比例", "Share"),
    "held": ("降级缓冲", "Held by grace"),
    "override": ("特批", "Override"),
    "before_day": ("起始日", "First day"),
    "after_day": ("截止日", "Second day"),
    "graded_before": ("期初分级客户", "Graded on the first day"),
    "graded_after": ("期末分级客户", "Graded on the second day"),
    "upgrades": ("升级", "Upgrades"),
    "downgrades": ("降级", "Downgrades"),
    "unchanged": ("不变", "Unchanged"),
    "entries": ("新进", "Entries"),
    "exits": ("退出", "Exits"),
    "upgrade_rate": ("升级率", "Upgrade rate"),
    "downgrade_rate": ("降级率", "Downgrade rate"),
    "entry_rate": ("新进率", "Entry rate"),
    "exit_rate": ("退出率", "Exit rate"),
    "churned": ("流失客户数", "Churned"),
    "churn_rate": ("客户流失率", "Churn rate"),
    "revenue_before": ("前期销售收入", "Revenue before"),
    "revenue_after": ("后期销售收入", "Revenue after"),
    "revenue_growth": ("销售收入增长率", "Revenue growth"),
    "revenue_per_customer": ("户均销售收入", "Revenue per customer"),
    "margin_after": ("后期毛利", "Margin after"),
    "margin_rate": ("利润率", "Margin rate"),
    "payments_due": ("应收笔数", "Payments due"),
    "late": ("逾期笔数", "Late payments"),
    "late_share": ("逾期比例", "Share paid late"),
    "satisfaction": ("客户满意度", "Satisfaction"),
    "outcome": ("指标", "Outcome"),
    "better": ("较高等级", "Better grade"),
    "worse": ("较低等级", "Worse grade"),
    "better_value": ("较高等级的值", "Better grade's value"),
    "worse_value": ("较低等级的值", "Worse grade's value"),
    "kind": ("事项", "Kind"),
    "standard_id": ("标准", "Standard"),
    "due": ("到期日", "Due"),
    "overdue": ("已逾期", "Overdue"),
    "detail": ("说明", "Detail"),
    # sheet titles
    "sheet.effect": ("分级效果评估", "Effect of grading"),
    "sheet.effect_breaks": ("效果倒挂", "Where grades break"),
    "sheet.distribution": ("等级分布", "Distribution"),
    "sheet.pareto": ("帕累托曲线", "Pareto curve"),
    "sheet.grade_list": ("客户分级表", "Customers by grade"),
    "sheet.top_list": ("重点客户名单", "Top-grade customers"),
    "sheet.special_terms": ("特批客户", "Special terms"),
    "sheet.region_analysis": ("客户区域分析表", "Customers by region"),
    "sheet.sales_pivot": ("客户销售分析表", "Sales by product"),
    "sheet.migration": ("等级迁移", "Migration"),
    "sheet.migration_summary": ("迁移汇总", "Migration summary"),
    "sheet.entitlements": ("服务权益", "Entitlements"),
    "chart.distribution": ("各等级客户数与金额占比", "Customers and share of value by grade"),
    "chart.pareto": ("帕累托图：金额占比与累计占比", "Pareto chart: share and cumulative share of value"),
    "chart.lorenz": ("洛伦兹曲线", "Lorenz curve"),
    "chart.region": ("各区域等级构成", "Grades in each region"),
    "gini": ("基尼系数", "Gini coefficient"),
}


def label(key: str, lang: str = "zh") -> str:
    """The label of a column (or a ``sheet.``/``chart.`` title) in ``lang``; a name it does not know stays as it is.

    >>> label("customers"), label("customers", "en"), label("sales_12m")
    ('客户数', 'Customers', 'sales_12m')
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"The language must be zh or en. Got '{lang}' instead.")
    pair = LABELS.get(key)
    return key if pair is None else pair[0 if lang == "zh" else 1]
