"""The message catalogue: every interface string, state, request kind, audit action and lifecycle reason, in zh and en.

Keys are message ids; each entry is ``(中文, English)`` with ``{name}`` placeholders. The
web app reads everything it shows from here, and a test fails when an entry lacks a
language, when a template uses a key that is missing, or when the code writes an audit
action, a state or a lifecycle reason that has no entry.

Lifecycle reasons are stored as the Chinese sentence the publication wrote (the audit
trail keeps what was said); :func:`reason` gives the same sentence in English by matching
it against the ``reason.*`` templates.

Examples
--------
>>> message("nav.customers", "en")
'Customers'
>>> reason("降级宽限 1/2：评估为 B，保留 A", "en")
'Downgrade grace 1/2: evaluated B, A kept'
>>> reason("新客户暂定等级（合作不满 6 个月）：评估为 C", "en")
'New customer, provisional grade (customer for less than 6 months): evaluated C'
"""

from __future__ import annotations

import re
from functools import cache

__all__ = ["LANGS", "MESSAGES", "message", "reason"]

LANGS = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # the frame of every page
    "app.name": ("tierwise 客户分级", "tierwise customer tiers"),
    "nav.dashboard": ("看板", "Dashboard"),
    "nav.review": ("复评与发布", "Review and publish"),
    "nav.standards": ("分级标准", "Standards"),
    "nav.forms": ("客户评估表", "Assessment forms"),
    "nav.imports": ("导入数据", "Imports"),
    "nav.reports": ("报表", "Reports"),
    "reports.xlsx": ("下载 Excel", "Download Excel"),
    "reports.pdf": ("下载 PDF", "Download PDF"),
    "reports.more": ("……另有 {count} 行，见 Excel 下载", "… {count} more rows in the Excel download"),
    "reports.effect_pending": (
        "尚无法衡量：{day} 之后还没有交易记录（最后一笔交易在 {last}）。导入 {day} 之后的交易后即可开始衡量，"
        "完整的 {months} 个月观察期到 {end} 结束。",
        "Not measurable yet: no transaction is dated after {day} (the last is dated {last}). It becomes "
        "measurable once transactions after {day} are imported; the full {months}-month period ends on {end}.",
    ),
    "reports.effect_no_data": (
        "尚无法衡量：还没有任何交易记录。导入 {day} 之后的交易后即可开始衡量，完整的 {months} 个月观察期到 {end} 结束。",
        "Not measurable yet: there are no transactions. It becomes measurable once transactions after {day} "
        "are imported; the full {months}-month period ends on {end}.",
    ),
    "nav.customers": ("客户", "Customers"),
    "nav.requests": ("特批与升级申请", "Requests"),
    "nav.audit": ("审计日志", "Audit log"),
    "nav.users": ("用户与角色", "Users and roles"),
    "nav.password": ("修改密码", "Change password"),
    "nav.logout": ("退出", "Sign out"),
    "nav.signed_in_as": ("当前用户：{name}（{role}）", "Signed in as {name} ({role})"),
    "nav.language": ("English", "中文"),
    "nav.api": ("JSON 接口文档", "JSON API docs"),
    # sign in
    "login.title": ("登录", "Sign in"),
    "login.name": ("用户名", "User name"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.wrong": (
        "用户名或密码错误（或该用户已停用），请重试或联系管理员。",
        "The user name or the password is wrong (or the user is disabled); try again or ask an admin.",
    ),
    "login.throttled": (
        "登录失败次数过多，请 {seconds} 秒后再试。",
        "Too many failed sign-ins; try again in {seconds} seconds.",
    ),
    "password.title": ("修改密码", "Change password"),
    "password.current": ("当前密码", "Current password"),
    "password.new": ("新密码（至少 8 个字符）", "New password (at least 8 characters)"),
    "password.submit": ("修改", "Change"),
    "password.wrong": ("当前密码不正确。", "The current password is wrong."),
    "password.done_changed": (
        "密码已修改，其他会话已退出。",
        "Your password is changed; your other sessions have ended.",
    ),
    # customers
    "customers.title": ("客户", "Customers"),
    "customers.search": ("按客户编号或名称搜索", "Search by customer id or name"),
    "customers.standard": ("分级标准", "Standard"),
    "customers.grade": ("等级", "Grade"),
    "customers.state": ("状态", "State"),
    "customers.region": ("区域", "Region"),
    "customers.any": ("全部", "Any"),
    "customers.filter": ("筛选", "Filter"),
    "customers.count": ("共 {total} 个客户，第 {first}–{last} 个", "{total} customers, {first}–{last} shown"),
    "customers.none": ("没有符合条件的客户。", "No customer matches."),
    "customers.previous": ("上一页", "Previous"),
    "customers.next": ("下一页", "Next"),
    "customers.download": ("下载 CSV", "Download CSV"),
    "customers.id": ("客户编号", "Customer id"),
    "customers.name": ("名称", "Name"),
    "customers.why": ("依据", "Why"),
    # the customer page
    "customer.title": ("客户 {id}", "Customer {id}"),
    "customer.profile": ("客户资料", "Profile"),
    "customer.grades": ("各标准的当前等级", "Current grade by standard"),
    "customer.grade": ("当前等级", "Grade"),
    "customer.state": ("状态", "State"),
    "customer.why": ("发布依据", "Why (publication)"),
    "customer.reason": ("评估理由", "Evaluation reason"),
    "customer.evaluated": ("评估等级（{as_of}，第 {run} 次评估）", "Evaluated grade ({as_of}, run {run})"),
    "customer.next": ("上一级", "Next grade up"),
    "customer.gap": ("差距", "Gap"),
    "customer.top": ("已是最高等级", "Already the top grade"),
    "customer.indicators": ("指标值", "Indicators"),
    "customer.explain": ("查看评级过程", "Show each step tried"),
    "customer.explaining": ("正在重新计算评级过程……", "Working out each step…"),
    "customer.entitlements": ("服务权益（{grade}）", "Service entitlements ({grade})"),
    "customer.no_entitlements": ("该标准未规定服务权益。", "The standard sets no service entitlements."),
    "customer.history": ("等级历史", "Grade history"),
    "customer.requests": ("特批与升级申请", "Requests"),
    "customer.audit": ("审计记录", "Audit records"),
    "customer.none": ("无", "None"),
    "customer.until": ("有效至 {until}", "until {until}"),
    "customer.since": ("自 {since}", "since {since}"),
    "customer.not_graded": ("未评级", "not graded"),
    # actions on a customer
    "action.override": ("申请特批", "Request a special approval (特批)"),
    "action.upgrade": ("申请升级", "Apply for an upgrade"),
    "action.cancel": ("取消资格", "Cancel the grade"),
    "action.reinstate": ("恢复资格", "Reinstate"),
    "action.grade": ("等级", "Grade"),
    "action.until": ("有效期至", "Until"),
    "action.why": ("理由", "Reason"),
    "action.submit": ("提交", "Submit"),
    "action.done_override": (
        "特批申请 #{id} 已提交，等待另一位经理审批。",
        "Request #{id} is submitted; another manager approves it.",
    ),
    "action.done_upgrade": (
        "升级申请 #{id} 已提交，等待另一位经理审批。",
        "Application #{id} is submitted; another manager decides it.",
    ),
    "action.done_cancel": ("已取消该客户的资格。", "The customer's grade is cancelled."),
    "action.done_reinstate": ("已恢复该客户的资格。", "The customer's grade is reinstated."),
    # requests
    "requests.title": ("特批与升级申请", "Requests"),
    "requests.id": ("编号", "No."),
    "requests.kind": ("类型", "Kind"),
    "requests.standard": ("标准", "Standard"),
    "requests.customer": ("客户", "Customer"),
    "requests.grade": ("等级", "Grade"),
    "requests.until": ("有效至", "Until"),
    "requests.why": ("理由", "Reason"),
    "requests.by": ("申请人", "Requested by"),
    "requests.at": ("申请时间", "Requested at"),
    "requests.status": ("状态", "Status"),
    "requests.decided": ("审批人", "Decided by"),
    "requests.decision_why": ("审批意见", "Decision reason"),
    "requests.approve": ("批准", "Approve"),
    "requests.reject": ("驳回", "Reject"),
    "requests.decision": ("审批意见（驳回时必填）", "Reason (needed to reject)"),
    "requests.none": ("没有申请。", "No requests."),
    "requests.current": ("现行等级", "Grade now"),
    "requests.evaluated": ("最近评估", "Latest evaluation"),
    "requests.gap": ("距 {grade} 还差 {gap}", "{gap} short of {grade}"),
    "requests.override_evaluation": (
        "否决评估结果（按特批记录）",
        "I override the evaluation (recorded as a special approval)",
    ),
    "requests.done_approved": ("申请 #{id} 已批准。", "Request #{id} is approved."),
    "requests.done_rejected": ("申请 #{id} 已驳回。", "Request #{id} is rejected."),
    "requests.reject_needs_why": ("驳回申请需要填写理由。", "A rejection needs a reason."),
    "kind.override": ("特批", "special approval (特批)"),
    "kind.upgrade": ("升级申请", "upgrade application"),
    "status.pending": ("待审批", "pending"),
    "status.approved": ("已批准", "approved"),
    "status.rejected": ("已驳回", "rejected"),
    "status.expired": ("已到期", "expired"),
    "status.closed": ("已自动关闭", "closed by an evaluation"),
    # grade states
    "state.confirmed": ("已确认", "confirmed"),
    "state.provisional": ("暂定", "provisional"),
    "state.held": ("降级宽限中", "downgrade on hold"),
    "state.override": ("特批", "special approval"),
    "state.cancelled": ("已取消资格", "cancelled"),
    "state.reviewed": ("复评调整", "changed at review"),
    # history
    "history.standard": ("标准", "Standard"),
    "history.grade": ("等级", "Grade"),
    "history.state": ("状态", "State"),
    "history.from": ("起", "From"),
    "history.to": ("止", "To"),
    "history.why": ("原因", "Why"),
    "history.run": ("评估", "Run"),
    "history.now": ("至今", "now"),
    "history.planned": ("特批到期后生效", "from when the special approval ends"),
    # audit
    "audit.title": ("审计日志", "Audit log"),
    "audit.at": ("时间", "When"),
    "audit.user": ("用户", "User"),
    "audit.action": ("操作", "Action"),
    "audit.subject": ("对象", "Subject"),
    "audit.customer": ("客户", "Customer"),
    "audit.detail": ("详情", "Details"),
    "audit.why": ("理由", "Reason"),
    "audit.since": ("从", "From"),
    "audit.until": ("到", "To"),
    "audit.count": ("共 {total} 条记录", "{total} records"),
    "audit.none": ("没有记录。", "No records."),
    "event.init": ("创建工作区", "created the workspace"),
    "event.import": ("导入数据", "imported data"),
    "event.import-refused": ("导入被拒（有错误行）", "import refused (bad rows)"),
    "event.run": ("评估", "ran a standard"),
    "event.publish": ("发布等级", "published grades"),
    "event.override-requested": ("申请特批", "requested a special approval"),
    "event.override-approved": ("批准特批", "approved a special approval"),
    "event.override-rejected": ("驳回特批", "rejected a special approval"),
    "event.override-expired": ("特批到期", "special approval expired"),
    "event.upgrade-requested": ("申请升级", "applied for an upgrade"),
    "event.upgrade-approved": ("批准升级", "approved an upgrade"),
    "event.upgrade-rejected": ("驳回升级", "rejected an upgrade"),
    "event.upgrade-closed": ("评估否定升级申请，自动关闭", "an evaluation closed an upgrade application"),
    "event.cancel": ("取消资格", "cancelled a grade"),
    "event.reinstate": ("恢复资格", "reinstated a grade"),
    "event.review-change": ("复评调整等级", "changed a grade at review"),
    "event.review-undo": ("撤销复评调整", "took back a change at review"),
    "event.form-saved": ("保存评估表草稿", "saved an assessment form"),
    "event.form-submitted": ("提交评估表", "submitted an assessment form"),
    "event.draft-saved": ("保存标准草稿", "saved a draft standard"),
    "event.draft-deleted": ("删除标准草稿", "deleted a draft standard"),
    "event.user-added": ("添加用户", "added a user"),
    "event.user-changed": ("修改用户角色或区域", "changed a user's role or regions"),
    "event.user-disabled": ("停用用户", "disabled a user"),
    "event.password-set": ("设置密码", "set a password"),
    "event.login": ("登录", "signed in"),
    "event.logout": ("退出", "signed out"),
    "event.standard-adopted": ("采用草稿为现行标准", "adopted a draft as the standard in force"),
    # users
    "users.title": ("用户与角色", "Users and roles"),
    "users.name": ("用户名", "Name"),
    "users.role": ("角色", "Role"),
    "users.regions": ("区域（逗号分隔，留空为全部）", "Regions (comma-separated; empty: all)"),
    "users.state": ("状态", "State"),
    "users.active": ("启用", "active"),
    "users.disabled": ("已停用", "disabled"),
    "users.add": ("添加用户", "Add a user"),
    "users.password": ("初始密码（至少 8 个字符）", "First password (at least 8 characters)"),
    "users.save": ("保存", "Save"),
    "users.disable": ("停用", "Disable"),
    "users.done_added": ("已添加用户 {name}。", "User {name} is added."),
    "users.done_changed": ("已修改用户 {name}。", "User {name} is changed."),
    "users.done_disabled": ("已停用用户 {name}，其会话已结束。", "User {name} is disabled and signed out."),
    "role.admin": ("管理员", "administrator"),
    "role.manager": ("经理（发布、审批特批）", "manager (publishes, approves 特批)"),
    "role.analyst": ("分析员（导入、评估、模拟）", "analyst (imports, runs, simulates)"),
    "role.account_manager": ("客户经理（为本区域客户申请特批和升级）", "account manager (requests 特批 and upgrades)"),
    "role.finance": ("财务（信用等级）", "finance (credit grades)"),
    "role.viewer": ("只读", "viewer"),
    # errors
    "error.title": ("无法完成", "Could not do that"),
    "error.forbidden": ("您的角色不能执行此操作。", "Your role may not do this."),
    "error.not_found": ("找不到该页面。", "There is no such page."),
    "error.cross_site": (
        "已拒绝来自其他网站的请求（跨站请求伪造防护）。",
        "A request from another site was refused (cross-site request forgery protection).",
    ),
    "error.back": ("返回", "Back"),
    "error.no_customer": (
        "找不到客户“{id}”（没有这个编号，或不是您可以查看的客户），请核对编号。",
        "There is no customer '{id}' among the customers you may see (no such id, or not yours); check the id.",
    ),
    "run.evaluated_again": (
        "（第 {run} 次运行早于本版 tierwise，未保存判定依据：以下过程按其规则在当前数据上重新评估，可能与该次运行的结论不同。）",
        "(Run {run} was stored by an older tierwise without its decisions: the steps below evaluate its rules again "
        "on today's data and may differ from what the run decided.)",
    ),
    "error.no_request": (
        "没有编号为 {id} 的申请；“tierwise requests”或网页“申请与审批”列出全部申请。",
        "There is no request {id}; 'tierwise requests' lists them.",
    ),
    "error.request_decided": ("申请 #{id} 的状态为“{status}”，不能再次审批。", "Request {id} is already {status}."),
    "error.not_in_run": (
        "第 {run} 次运行没有评估客户“{id}”（数据中没有它，或标准的适用范围不包括它）。",
        "Run {run} did not grade customer '{id}' (it has no rows in the data, or the standard's population leaves it out).",
    ),
    "error.workspace": ("工作区", "the workspace"),
    "error.no_run": (
        "没有第 {id} 次评估运行；复评页面列出了各次运行。",
        "There is no run {id}; the review page lists the runs.",
    ),
    # a request's parameters that cannot be used (web/_context.invalid): one sentence, every problem
    "invalid.request": ("请求无效：{problems}。", "The request is not valid: {problems}."),
    "invalid.missing": ("必须填写", "is required"),
    "invalid.less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "invalid.greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "invalid.less_than": ("必须小于 {lt}", "must be less than {lt}"),
    "invalid.greater_than": ("必须大于 {gt}", "must be greater than {gt}"),
    "invalid.int_parsing": ("必须是整数", "must be a whole number"),
    "invalid.int_from_float": ("必须是整数", "must be a whole number"),
    "invalid.int_type": ("必须是整数", "must be a whole number"),
    "invalid.float_parsing": ("必须是数字", "must be a number"),
    "invalid.bool_parsing": ("必须是 true 或 false", "must be true or false"),
    "invalid.date_from_datetime_parsing": ("必须是日期，例如 2025-12-31", "must be a date like 2025-12-31"),
    "invalid.date_parsing": ("必须是日期，例如 2025-12-31", "must be a date like 2025-12-31"),
    "invalid.date_from_datetime_inexact": ("必须是日期，例如 2025-12-31", "must be a date like 2025-12-31"),
    "invalid.date_type": ("必须是日期，例如 2025-12-31", "must be a date like 2025-12-31"),
    "invalid.string_too_long": ("最多 {max_length} 个字符", "must be at most {max_length} characters"),
    "invalid.string_too_short": ("不能为空", "must not be empty"),
    "invalid.string_type": ("必须是文本", "must be text"),
    "invalid.literal_error": ("必须是 {expected} 之一", "must be one of {expected}"),
    "invalid.control_characters": (
        "不能包含控制字符（NUL、回车、换行、制表符）",
        "must not contain control characters (NUL, CR, LF, tab)",
    ),
    "invalid.extra_forbidden": ("不是可用的字段", "is not a known field"),
    # report columns, sheet and chart titles (tierwise.reports.label)
    "report.grade": ("等级", "Grade"),
    "report.customers": ("客户数", "Customers"),
    "report.customer_share": ("客户占比", "Share of customers"),
    "report.value": ("金额", "Value"),
    "report.value_share": ("金额占比", "Share of value"),
    "report.cum_customer_share": ("累计客户占比", "Cumulative share of customers"),
    "report.cum_value_share": ("累计金额占比", "Cumulative share of value"),
    "report.min_value": ("最小值", "Smallest value"),
    "report.max_value": ("最大值", "Largest value"),
    "report.rank": ("排名", "Rank"),
    "report.customer_id": ("客户编号", "Customer"),
    "report.name": ("客户名称", "Name"),
    "report.region": ("区域", "Region"),
    "report.industry": ("行业", "Industry"),
    "report.type": ("客户类型", "Type"),
    "report.state": ("状态", "State"),
    "report.reason": ("评级依据", "Reason"),
    "report.evaluated": ("评定等级", "Evaluated grade"),
    "report.until": ("有效期至", "Until"),
    "report.requested_by": ("申请人", "Requested by"),
    "report.decided_by": ("审批人", "Approved by"),
    "report.why": ("理由", "Why"),
    "report.share_of_customers": ("占全部客户比例", "Share of all customers"),
    "report.share_in_region": ("占区域客户比例", "Share of the region's customers"),
    "report.share_of_region_value": ("占区域销售额比例", "Share of the region's sales"),
    "report.合计": ("合计", "Total"),
    "report.entitlement": ("服务权益", "Entitlement"),
    "report.before": ("原等级", "Grade before"),
    "report.after": ("新等级", "Grade after"),
    "report.share": ("比例", "Share"),
    "report.held": ("降级缓冲", "Held by grace"),
    "report.override": ("特批", "Override"),
    "report.before_day": ("起始日", "First day"),
    "report.after_day": ("截止日", "Second day"),
    "report.graded_before": ("期初分级客户", "Graded on the first day"),
    "report.graded_after": ("期末分级客户", "Graded on the second day"),
    "report.upgrades": ("升级", "Upgrades"),
    "report.downgrades": ("降级", "Downgrades"),
    "report.unchanged": ("不变", "Unchanged"),
    "report.entries": ("新进", "Entries"),
    "report.exits": ("退出", "Exits"),
    "report.upgrade_rate": ("升级率", "Upgrade rate"),
    "report.downgrade_rate": ("降级率", "Downgrade rate"),
    "report.entry_rate": ("新进率", "Entry rate"),
    "report.exit_rate": ("退出率", "Exit rate"),
    "report.churned": ("流失客户数", "Churned"),
    "report.churn_rate": ("客户流失率", "Churn rate"),
    "report.revenue_before": ("前期销售收入", "Revenue before"),
    "report.revenue_after": ("后期销售收入", "Revenue after"),
    "report.revenue_growth": ("销售收入增长率", "Revenue growth"),
    "report.revenue_per_customer": ("户均销售收入", "Revenue per customer"),
    "report.margin_after": ("后期毛利", "Margin after"),
    "report.margin_rate": ("利润率", "Margin rate"),
    "report.payments_due": ("应收笔数", "Payments due"),
    "report.late": ("逾期笔数", "Late payments"),
    "report.late_share": ("逾期比例", "Share paid late"),
    "report.satisfaction": ("客户满意度", "Satisfaction"),
    "report.outcome": ("指标", "Outcome"),
    "report.better": ("较高等级", "Better grade"),
    "report.worse": ("较低等级", "Worse grade"),
    "report.better_value": ("较高等级的值", "Better grade's value"),
    "report.worse_value": ("较低等级的值", "Worse grade's value"),
    "report.kind": ("事项", "Kind"),
    "report.standard_id": ("标准", "Standard"),
    "report.due": ("到期日", "Due"),
    "report.overdue": ("已逾期", "Overdue"),
    "report.detail": ("说明", "Detail"),
    # sheet titles
    "report.sheet.effect": ("分级效果评估", "Effect of grading"),
    "report.sheet.effect_breaks": ("效果倒挂", "Where grades break"),
    "report.sheet.distribution": ("等级分布", "Distribution"),
    "report.sheet.pareto": ("帕累托曲线", "Pareto curve"),
    "report.sheet.grade_list": ("客户分级表", "Customers by grade"),
    "report.sheet.top_list": ("重点客户名单", "Top-grade customers"),
    "report.sheet.special_terms": ("特批客户", "Special terms"),
    "report.sheet.region_analysis": ("客户区域分析表", "Customers by region"),
    "report.sheet.sales_pivot": ("客户销售分析表", "Sales by product"),
    "report.sheet.migration": ("等级迁移", "Migration"),
    "report.sheet.migration_summary": ("迁移汇总", "Migration summary"),
    "report.sheet.entitlements": ("服务权益", "Entitlements"),
    "report.chart.distribution": ("各等级客户数与金额占比", "Customers and share of value by grade"),
    "report.chart.pareto": ("帕累托图：金额占比与累计占比", "Pareto chart: share and cumulative share of value"),
    "report.chart.lorenz": ("洛伦兹曲线", "Lorenz curve"),
    "report.chart.region": ("各区域等级构成", "Grades in each region"),
    "report.gini": ("基尼系数", "Gini coefficient"),
    # the dashboard of a standard
    "dashboard.title": ("{name} · 看板", "{name} · dashboard"),
    "dashboard.choose": ("查看标准", "Standard"),
    "dashboard.show": ("查看", "Show"),
    "dashboard.as_of": (
        "截至 {day} 的现行等级（最近发布的评估日 {published}）",
        "Grades in force on {day} (latest publication as of {published})",
    ),
    "dashboard.customers": ("已评级客户", "Graded customers"),
    "dashboard.distribution": ("等级分布与金额占比", "Customers and share of value by grade"),
    "dashboard.lorenz": ("帕累托曲线", "Pareto curve"),
    "dashboard.migration": ("等级迁移：{before} → {after}", "Migration: {before} → {after}"),
    "dashboard.no_previous": ("只有一次发布，还没有可比较的迁移。", "Only one publication so far: no migration yet."),
    "dashboard.regions": ("各区域等级构成", "Grades in each region"),
    "dashboard.due": ("待办事项", "What is due"),
    "dashboard.due_none": ("近 30 天没有到期事项。", "Nothing is due in the next 30 days."),
    "dashboard.pending": ("待审批的申请：{count} 件", "Requests awaiting a decision: {count}"),
    "dashboard.runs": ("待复评发布的评估：{count} 次", "Runs awaiting review and publication: {count}"),
    "dashboard.not_graded": ("未评级", "not graded"),
    "dashboard.none": (
        "还没有发布过的标准：先在「复评与发布」中评估并发布。",
        "No standard is published yet: run and publish one under Review and publish.",
    ),
    "due.evaluation": ("到期评估", "evaluation due"),
    "due.provisional": ("暂定期满", "provisional period over"),
    "due.new": ("新客户待评级", "new customer awaiting a grade"),
    "due.override-expiring": ("特批即将到期", "special approval ending"),
    "due.request": ("待审批申请", "request awaiting a decision"),
    "due.day": ("日期", "Day"),
    "due.kind": ("事项", "What"),
    "due.detail": ("说明", "Detail"),
    "due.overdue": ("已逾期", "overdue"),
    # imports
    "imports.title": ("导入数据", "Import data"),
    "imports.upload": ("上传文件", "Upload a file"),
    "imports.table": ("导入到表", "Table"),
    "imports.mode": ("方式", "Mode"),
    "imports.mode.replace": ("替换整表", "replace the table"),
    "imports.mode.append": ("追加", "append"),
    "imports.replace_loses": (
        "替换会删除表“{table}”现有的全部 {rows} 行（来自 {imports} 次导入）。",
        "Replacing deletes all {rows} rows now in '{table}' (from {imports} imports).",
    ),
    "imports.replace_loses_dated": (
        "替换会删除表“{table}”现有的全部 {rows} 行（{first} 至 {last}，来自 {imports} 次导入）。",
        "Replacing deletes all {rows} rows now in '{table}' ({first} to {last}, from {imports} imports).",
    ),
    "imports.replace_confirm": (
        "我明白替换会删除上述数据，确认替换",
        "I understand that replacing deletes the rows above, and replace",
    ),
    "imports.replace_unconfirmed": (
        "替换表“{table}”会删除它现有的数据；请在预览页面勾选确认后再导入，接口请求需带 confirm_replace: true，"
        "或改用追加方式。",
        "Replacing '{table}' deletes the rows it has now; tick the confirmation on the preview page (an API "
        "request sends confirm_replace: true), or import with mode append.",
    ),
    "imports.file": ("文件（CSV、Excel、Parquet，最大 {mb} MB）", "File (CSV, Excel, Parquet; at most {mb} MB)"),
    "imports.preview": ("预览", "Preview"),
    "imports.recent": ("最近的导入", "Recent imports"),
    "imports.at": ("时间", "At"),
    "imports.user": ("导入人", "By"),
    "imports.rows": ("行数", "Rows"),
    "imports.bad": ("错误行", "Bad rows"),
    "imports.none": ("还没有导入记录。", "Nothing imported yet."),
    "imports.heading": ("导入预览：{file} → {table}", "Import preview: {file} → {table}"),
    "imports.summary": (
        "共 {rows} 行数据，其中 {bad} 行有错误。",
        "{rows} data rows, {bad} of them with problems.",
    ),
    "imports.mapping": ("表头映射", "Header mapping"),
    "imports.header": ("文件表头", "File header"),
    "imports.column": ("字段", "Column"),
    "imports.unit": ("单位", "Unit"),
    "imports.kept": ("（未识别，按原名保存）", "(not recognised: kept as it is)"),
    "imports.first": ("前几行（按导入后的值显示）", "The first rows, as they will be stored"),
    "imports.problems": ("错误行", "Bad rows"),
    "imports.row": ("行", "Row"),
    "imports.value": ("值", "Value"),
    "imports.problem": ("问题", "Problem"),
    "imports.download": ("下载错误报告（CSV）", "Download the bad-row report (CSV)"),
    "imports.blocked": (
        "文件有错误行：导入将被拒绝，不会写入任何数据。请修正后重新上传。",
        "The file has bad rows: the import is refused and nothing lands. Fix them and upload again.",
    ),
    "imports.go": ("导入", "Import"),
    "imports.refused": (
        "{file} 有 {bad} 行错误，未导入任何数据；错误报告可在本页下载。",
        "{file} has {bad} bad row(s); nothing was imported. Download the report on this page.",
    ),
    "imports.done_upload": ("文件已上传，请检查预览后导入。", "The file is uploaded; check the preview, then import."),
    "imports.done_import": ("导入 #{id} 完成：{name}。", "Import #{id} done: {name}."),
    "imports.too_many_columns": (
        "文件 '{file}' 第 {line} 行超过 {limit} 列，这样的文件不予读取。请删去多余的列，或拆分文件后再上传。",
        "Line {line} of '{file}' has more than {limit} columns; no file with that many is read. "
        "Remove the extra columns, or split the file, and upload it again.",
    ),
    "imports.line_too_long": (
        "文件 '{file}' 第 {line} 行长于 {limit} 字节，这样的文件不予读取。请检查该行（常见原因：缺少换行符或引号未闭合）。",
        "Line {line} of '{file}' is longer than {limit} bytes; no file with such a line is read. "
        "Check that line (a missing line end or an unclosed quote is the usual cause).",
    ),
    "imports.cell_too_long": (
        "文件 '{file}' 第 {line} 行有一个值长于 {limit} 字节，这样的文件不予读取。请检查该行的分隔符。",
        "Line {line} of '{file}' holds a value longer than {limit} bytes; no file with such a value is read. "
        "Check that line's separators.",
    ),
    "imports.unpacks_too_large": (
        "Excel 文件 '{file}' 解压后超过 {limit} GB，不予读取。请另存为 CSV 或拆分后再上传。",
        "The Excel file '{file}' unpacks to more than {limit} GB and is not read. "
        "Save it as CSV, or split it, and upload it again.",
    ),
    # heavy work that took longer than the server waits (503)
    "work.slow_preview": (
        "读取并检查该文件超过了 {seconds} 秒，服务器已停止等待。文件太大时请用命令行 'tierwise import' 导入。",
        "Reading and checking the file took longer than {seconds} seconds, so the server stopped waiting. "
        "Import a file this large with the CLI ('tierwise import').",
    ),
    "work.slow_import": (
        "导入超过了 {seconds} 秒，服务器已停止等待；导入仍在后台进行，完成后会出现在“最近的导入”中。",
        "The import took longer than {seconds} seconds, so the server stopped waiting; it goes on in the "
        "background and appears under Recent imports when it has landed.",
    ),
    "work.slow_check": (
        "检查该草稿超过了 {seconds} 秒，服务器已停止等待，草稿未保存。请缩小草稿（例如减少等级或规则）后再保存。",
        "Checking the draft took longer than {seconds} seconds, so the server stopped waiting and the draft "
        "was not saved. Make the draft smaller (fewer grades or rules) and save it again.",
    ),
    "work.slow_simulate": (
        "模拟超过了 {seconds} 秒，服务器已停止等待。请稍后重试，或用命令行 'tierwise simulate'。",
        "The simulation took longer than {seconds} seconds, so the server stopped waiting. Try again later, "
        "or use the CLI ('tierwise simulate').",
    ),
    # assessment forms (初评)
    "forms.title": ("客户质量等级评估表（初评）", "Customer assessment forms (初评)"),
    "forms.standard": ("标准", "Standard"),
    "forms.status": ("状态", "Status"),
    "forms.none_here": (
        "工作区没有需要填写评估表的标准（评分卡按表中评价打分的标准，如 composite-8）。",
        "No standard of this workspace is rated on forms (a scorecard rating criteria from a table, like composite-8).",
    ),
    "forms.rater": ("评估人", "Rater"),
    "forms.updated": ("更新时间", "Updated"),
    "forms.open": ("填写", "Fill in"),
    "forms.view": ("查看", "View"),
    "forms.heading": ("{name}：{customer}", "{name}: {customer}"),
    "forms.criterion": ("评估项目", "Criterion"),
    "forms.weight": ("权重", "Weight"),
    "forms.rating": ("评价", "Rating"),
    "forms.previous": ("上次评价", "Last rating"),
    "forms.comment": ("评估意见", "Comment"),
    "forms.save": ("保存草稿", "Save the draft"),
    "forms.submit": ("提交", "Submit"),
    "forms.submitted_note": (
        "已由 {who} 于 {at} 提交，下一次发布时复评。",
        "Submitted by {who} at {at}; it is reviewed at the next publication.",
    ),
    "forms.reviewed_note": ("已在评估 #{run} 发布时复评。", "Reviewed when run #{run} was published."),
    "forms.done_saved": ("评估表草稿已保存。", "The form is saved as a draft."),
    "forms.done_submitted": ("评估表已提交。", "The form is submitted."),
    "forms.counts": ("评估表", "Assessment forms"),
    "form.none": ("未填写", "not started"),
    "form.draft": ("草稿", "draft"),
    "form.submitted": ("已提交", "submitted"),
    "form.reviewed": ("已复评", "reviewed"),
    # the review meeting (复评) and publishing
    "review.title": ("复评与发布", "Review and publish"),
    "review.runs": ("待发布的评估", "Runs not yet published"),
    "review.run": ("评估", "Run"),
    "review.none": ("没有待发布的评估。", "No run awaits publication."),
    "review.new": ("新建评估", "New run"),
    "review.standard": ("标准", "Standard"),
    "review.source": ("依据", "From"),
    "review.source_current": ("现行标准", "the current standard"),
    "review.source_draft": ("已保存的草稿", "the saved draft"),
    "review.as_of": ("评估日", "As of"),
    "review.start": ("开始评估", "Run"),
    "review.customers": ("客户数", "Customers"),
    "review.by": ("评估人", "Run by"),
    "review.open": ("复评", "Review"),
    "review.heading": ("评估 #{run}：{name}（评估日 {as_of}）", "Run #{run}: {name} (as of {as_of})"),
    "review.move.all": ("全部", "All"),
    "review.move.up": ("上升", "Moved up"),
    "review.move.down": ("下降", "Moved down"),
    "review.move.held": ("不变", "Held"),
    "review.move.new": ("新评级", "Newly graded"),
    "review.move.provisional": ("暂定", "Provisional"),
    "review.move.changed": ("复评已调整", "Changed at review"),
    "review.published": ("现行等级", "Grade now"),
    "review.proposed": ("本次评估", "Proposed"),
    "review.decision": ("复评结果", "Review decision"),
    "review.change": ("调整", "Change"),
    "review.undo": ("撤销调整", "Take back"),
    "review.why": ("调整理由（必填）", "Reason (required)"),
    "review.changed_by": ("{who} 调整：{why}", "{who} changed it: {why}"),
    "review.publish": ("发布本次评估", "Publish this run"),
    "review.publish_note": (
        "发布时先对每位客户应用生命周期规则（暂定、降级宽限、特批），再应用复评调整；评估与每项调整都记入审计日志。",
        "Publishing applies the lifecycle (provisional grades, downgrade grace, special approvals) to every "
        "customer, then the review's changes; the run and every change are in the audit log.",
    ),
    "review.is_published": ("本次评估已发布，不能再调整。", "This run is published; it can no longer be changed."),
    "review.done_run": ("已创建评估 #{id}，请复评后发布。", "Run #{id} is stored; review it, then publish."),
    "review.done_change": ("已调整客户 {name} 的等级。", "The grade of {name} is changed."),
    "review.done_undo": ("已撤销对客户 {name} 的调整。", "The change of {name} is taken back."),
    "review.done_publish": ("评估 #{id} 已发布。", "Run #{id} is published."),
    # the standard in force and draft runs
    "standard.none_in_force": (
        "标准“{standard}”没有现行版本：它从未发布、未被采用，standards/ 中也没有 {standard}.yaml。"
        "请发布一次它的评估，或由经理采用它的草稿。",
        "There is no standard '{standard}' in force: it was never published or adopted, and standards/ has no "
        "{standard}.yaml; publish a run of it, or have a manager adopt its draft.",
    ),
    "standard.adopt_needs_reason": (
        "采用标准“{standard}”的草稿需要填写理由，理由会写入审计日志。",
        "Adopting the draft of '{standard}' needs a reason; it is kept in the audit log.",
    ),
    "standard.adopt_unconfirmed": (
        "采用标准“{standard}”的草稿需要确认：请先阅读它与现行规则的差异，再勾选确认；接口请求需带 confirm: true。",
        "Adopting the draft of '{standard}' needs confirming: read how it differs from the rules in force, then "
        "tick the confirmation; an API request sends confirm: true.",
    ),
    "standard.adopt_same": (
        "标准“{standard}”的草稿与现行标准完全相同，无需采用。",
        "The draft of '{standard}' is the same as the standard in force; there is nothing to adopt.",
    ),
    "publish.rules_unconfirmed": (
        "评估 #{run} 使用的规则与现行标准“{standard}”（{source}）不同（{why}）。"
        "只有经理在阅读规则差异后确认才能发布：网页上勾选“已阅读规则差异”，命令行加 --accept-rules。",
        "Run {run} uses rules that differ from the standard in force '{standard}' ({source}) ({why}). Only a "
        "manager who has read the rule diff and confirms it can publish it: tick 'I have read the rule diff' on "
        "the web page, or pass --accept-rules on the command line.",
    ),
    "publish.rules_from_draft": ("它是从草稿开始的评估", "it was started from a draft"),
    "publish.rules_differ": ("规则文本有改动", "the rules' text was changed"),
    "source.publication": ("最近一次发布", "its latest publication"),
    "source.adoption": ("经理采用的草稿", "a draft a manager adopted"),
    "source.file": ("standards/ 中的文件", "its file in standards/"),
    "source.none": ("尚无现行版本", "none yet"),
    # stale runs: a run whose inputs changed since, or older than the latest publication
    "run.stale.published": (
        "评估 #{other} 已于 {at} 发布，其评估日 {as_of} 不早于本次评估日 {day}",
        "run {other} was published on {at} as of {as_of}, which is not before this run's day {day}",
    ),
    "run.stale.data": (
        "它读取的表“{table}”此后已变化（当时 {then} 行，现在 {now} 行）",
        "the table '{table}' it read has changed since ({then} rows then, {now} rows now)",
    ),
    "run.stale.gone": ("它读取的表“{table}”已不存在", "the table '{table}' it read is gone"),
    "publish.stale": (
        "评估 #{run}（标准“{standard}”）已过期：{why}。它的等级已不是当前数据和现行等级所得出的结果，"
        "不能发布；请用当前数据开始一次新的“{standard}”评估，复评后发布新评估。",
        "Run {run} of '{standard}' is stale: {why}. Its grades are no longer what the current data and the "
        "grades in force give, so it cannot be published; start a new run of '{standard}' on the current data, "
        "review it, and publish that.",
    ),
    "review.stale_change": (
        "评估 #{run} 已过期：{why}。过期的评估不能再复评；请开始一次新的评估。",
        "Run {run} is stale: {why}. A stale run is not reviewed any more; start a new run.",
    ),
    "review.stale_runs": ("已过期的评估（不能复评或发布）", "Stale runs (cannot be reviewed or published)"),
    "review.stale_why": ("原因", "Why"),
    "review.stale": ("本次评估已过期：{why}。请开始一次新的评估。", "This run is stale: {why}. Start a new run."),
    "run.state.published": ("已发布", "published"),
    "run.state.pending": ("待发布", "pending"),
    "run.state.stale": ("已过期", "stale"),
    "run.data_old": (
        "评估日 {as_of} 比最新一笔交易（{newest}）晚 {days} 天，超过了标准的统计窗口（{window} 天）：窗口内没有数据，"
        "评估会把客户评得过低。请选择不晚于 {newest} 太多的评估日，或先导入更新的数据。",
        "The as-of {as_of} is {days} days after the newest transaction ({newest}), longer than the standard's "
        "window ({window} days): the window holds no data and customers would be graded too low. Choose a day "
        "closer to {newest}, or import the newer data first.",
    ),
    # the impact of a publication, shown before it is made
    "impact.title": ("发布的影响", "What publishing does"),
    "impact.outcome.up": ("升级", "Move up"),
    "impact.outcome.down": ("降级", "Move down"),
    "impact.outcome.held": ("降级宽限保留", "Held by the downgrade grace"),
    "impact.outcome.new": ("首次评级", "Graded for the first time"),
    "impact.outcome.provisional": ("暂定等级", "Provisional grade"),
    "impact.outcome.override": ("特批保留", "Kept by a 特批"),
    "impact.outcome.unchanged": ("等级不变", "Unchanged"),
    "impact.exits": ("等级终止（已不在范围内）", "Grade ends (no longer in the population)"),
    "impact.customers": ("客户数", "Customers"),
    "impact.value": ("{value} 合计", "{value} in total"),
    "impact.entitlements": ("权益变化（标准的 policies）", "Entitlements that change (the standard's policies)"),
    "impact.policy": ("权益", "Entitlement"),
    "impact.before": ("原", "Before"),
    "impact.after": ("新", "After"),
    "impact.none": ("无", "none"),
    "impact.confirm": (
        "我已查看上面的影响，确认发布",
        "I have read what publishing does above, and publish",
    ),
    "publish.unconfirmed": (
        "发布评估 #{run} 需要确认：请先查看它的影响（升降级人数、金额、权益变化），再勾选确认；"
        "接口请求需带 confirm: true。",
        "Publishing run {run} needs a confirmation: read what it does (moves, the value moved, the entitlements "
        "that change), then tick the confirmation; an API request sends confirm: true.",
    ),
    "review.draft_run": ("草稿评估", "draft run"),
    "review.rules": ("规则差异（现行标准 → 本次评估）", "Rule diff (standard in force → this run)"),
    "review.rules_same": ("规则与现行标准相同。", "The rules are the same as the standard in force."),
    "review.accept_rules": (
        "我已阅读上面的规则差异，确认以新规则发布",
        "I have read the rule diff above and publish with these rules",
    ),
    # standards, drafts and simulation
    "standards.title": ("分级标准", "Standards"),
    "standards.id": ("标识", "Id"),
    "standards.name": ("名称", "Name"),
    "standards.version": ("版本", "Version"),
    "standards.grades": ("等级", "Grades"),
    "standards.published": ("最近发布", "Last published"),
    "standards.draft": ("草稿", "Draft"),
    "standards.none": ("工作区还没有标准。", "The workspace has no standard yet."),
    "standards.versions": ("历次评估", "Runs"),
    "standard.yaml": ("标准文件（YAML）", "The standard (YAML)"),
    "standard.editor": ("草稿编辑器", "Draft editor"),
    "standard.save": ("保存并检查", "Save and check"),
    "standard.delete": ("删除草稿", "Delete the draft"),
    "standard.saved": ("{who} 于 {at} 保存", "saved by {who} at {at}"),
    "standard.ok": ("检查通过，可以模拟。", "The draft checks: it can be simulated."),
    "standard.problems": ("草稿有 {count} 个问题：", "The draft has {count} problem(s):"),
    # limits of the standard reader (the spec layer writes the English sentence into its located problems)
    "spec.expr_too_deep": (
        "表达式在第 {column} 列嵌套超过 {limit} 层（括号、not、负号、函数调用各算一层）；规则从不需要这么深，请拆成几个指标。",
        "The expression nests more than {limit} levels deep at column {column} (each parenthesis, 'not', "
        "'-' and function call is a level); a rule never needs that. Split it into indicators.",
    ),
    "spec.expr_too_long": (
        "表达式连用的运算符超过 {limit} 层（如 a + b + c + …）；请拆成几个指标。",
        "The expression chains more than {limit} operators in a row (like a + b + c + …); split it into indicators.",
    ),
    "spec.merge_key": (
        "第 {line} 行的键 '<<'（YAML 合并键）在分级标准中不受支持；请把它要合并的键逐一写出（整段的 &锚点 和 *引用 仍可使用）。",
        "The key '<<' (a YAML merge key) on line {line} is not supported in a standard; write out the keys "
        "it would merge (anchors and aliases of whole values, &name and *name, still work).",
    ),
    "spec.yaml_tag": (
        "第 {line} 行的 YAML 标签 {tag} 在分级标准中不受支持；删除该标签，按普通文字、数字或列表书写。",
        "The YAML tag {tag} on line {line} is not supported in a standard; remove the tag and write the "
        "value as plain text, a number or a list.",
    ),
    "spec.too_large": (
        "文件有 {size} 个字符，超过分级标准的上限 {limit}（最大的内置标准不到 1 万个字符）；请删去重复的条目，或把它拆成几个标准。",
        "The file has {size} characters, more than the limit of {limit} for a standard (the largest built-in "
        "standard has under 10,000); remove repeated entries or split it into several standards.",
    ),
    "spec.number_range": (
        "第 {line} 行的数字 {value} 超出范围：分级标准中的数字须在 -{limit} 与 {limit}（1000万亿）之间且为有限数；请写一个更小的数。",
        "The number {value} on line {line} is out of range: numbers in a standard must be finite and lie "
        "between -{limit} and {limit} (1000万亿); write a smaller number.",
    ),
    "spec.literal_range": (
        "'{value}' 超出范围：分级标准中的数字须在 -{limit} 与 {limit}（1000万亿）之间且为有限数；请写一个更小的数",
        "'{value}' is out of range: numbers in a standard must be finite and lie between -{limit} and "
        "{limit} (1000万亿); write a smaller number",
    ),
    "spec.too_many_indicators": (
        "'indicators' 定义了 {count} 个指标，超过上限 {limit}；分级标准的指标通常不超过几十个，请删去重复的指标。",
        "The standard defines {count} indicators in 'indicators', more than the limit of {limit}; a standard has a few "
        "dozen at most. Remove the repeated ones.",
    ),
    "spec.too_many_grades": (
        "'grades' 列出了 {count} 个等级，超过上限 {limit}；分级标准的等级通常不超过几十个，请合并等级或改用分段。",
        "The standard lists {count} grades in 'grades', more than the limit of {limit}; a standard has a few dozen at "
        "most. Merge grades or split the standard.",
    ),
    "standard.simulate": ("模拟草稿", "Simulate the draft"),
    "standard.simulate_note": (
        "用当前数据评估草稿并与现行等级比较；不保存任何结果。",
        "Evaluates the draft on the current data against the grades in force; nothing is stored.",
    ),
    "standard.done_saved": ("草稿已保存。", "The draft is saved."),
    "standard.done_adopted": ("草稿已采用为现行标准。", "The draft is now the standard in force."),
    "standard.adopt": ("采用为现行标准", "Adopt as the standard in force"),
    "standard.adopt_note": (
        "采用后，此草稿即为现行标准：此后的评估按它进行，不再是草稿评估；以下是与现行规则的差异，理由会与差异一起写入审计日志。",
        "Once adopted, this draft is the standard in force: later runs use it and are no draft runs. Below is how "
        "it differs from the rules in force; the reason is kept in the audit log with the diff.",
    ),
    "standard.adopt_why": ("采用理由（必填）", "Reason (required)"),
    "standard.adopt_confirm": (
        "我已阅读规则差异，确认采用此草稿",
        "I have read the rule diff and adopt this draft",
    ),
    "standard.adopt_same_note": ("草稿与现行标准相同，无需采用。", "The draft is the same as the standard in force."),
    "standard.done_deleted": ("草稿已删除。", "The draft is deleted."),
    "simulate.title": (
        "模拟草稿 {id}：与 {as_of} 的现行等级比较",
        "Simulating the draft of {id} against the grades in force on {as_of}",
    ),
    "simulate.matrix": ("迁移矩阵（行：现行等级，列：草稿等级）", "Migration matrix (rows: now, columns: draft)"),
    "simulate.summary": (
        "上升 {up}，下降 {down}，不变 {same}，新评级 {entries}，不再评级 {exits}",
        "{up} up, {down} down, {same} unchanged, {entries} newly graded, {exits} no longer graded",
    ),
    "simulate.moved": ("变动客户 {count}，涉及金额 {value}", "{count} customers move, with a value of {value}"),
    "simulate.none": ("—", "—"),
    # refusals of the process (tierwise.workspace.Refused): what, the bad value, and the fix
    "refuse.history_overlap": (
        "客户 {customer} 在标准 {standard} 下的等级区间将会重叠（{start} 至 {end}，而下一区间从 {next} 开始）；"
        "此次更改未保存。请按时间顺序操作：决定只能在已生效的变更之后生效。",
        "The grades of customer {customer} under '{standard}' would overlap ({start} to {end} while the next "
        "starts on {next}); nothing was changed. Act in time order: a decision takes effect after the changes "
        "already in force.",
    ),
    "refuse.backdated_publication": (
        "评估 #{run} 的评估日为 {as_of}，早于标准 {standard} 已生效的等级变更（{day}，客户 {customer}：{why}）；"
        "发布它会改写历史。请以 {day} 或之后的日期重新评估（tierwise run --as-of {day}）。",
        "Run {run} is as of {as_of}, before a grade change of '{standard}' already in force ({day}, customer "
        "{customer}: {why}); publishing it would rewrite history. Run the standard as of {day} or later "
        "(tierwise run --as-of {day}).",
    ),
    "refuse.backdated_decision": (
        "客户 {customer} 在标准 {standard} 下的现行等级自 {since} 起生效，不能让新的决定在更早的 {on} 生效；"
        "请把生效日设为 {since} 或之后。",
        "The grade of customer {customer} under '{standard}' is in force since {since}; a decision cannot take "
        "effect before it, on {on}. Let it take effect on {since} or later.",
    ),
    "refuse.override_same_grade": (
        "客户 {customer} 在标准 {standard} 下已是 {grade} 级，无需特批到同一等级；请申请不同的等级。",
        "Customer {customer} already holds {grade} under '{standard}'; a special approval (特批) to the same "
        "grade changes nothing. Ask for a different grade.",
    ),
    "refuse.upgrade_already_held": (
        "申请 #{request}：客户 {customer} 现行等级已是 {held}，不低于申请的 {grade}；请驳回该申请。",
        "Request {request}: customer {customer} already holds {held}, not below the {grade} asked for; reject "
        "the request instead.",
    ),
    "refuse.upgrade_above_evaluation": (
        "申请 #{request}：客户 {customer} 最近一次发布的评估为 {evaluated}，不支持升到 {grade}；"
        "若仍要批准，请勾选“否决评估结果”（命令行 --override-evaluation），它将作为特批记录。",
        "Request {request}: the latest published evaluation of customer {customer} is {evaluated}, which does not "
        "support {grade}; to approve it anyway, tick that you override the evaluation (--override-evaluation on "
        "the command line), and it is recorded as a special approval (特批).",
    ),
    "reason.contradicted": (
        "评估 #{run} 评为 {evaluated}，低于申请的 {grade}，申请自动关闭",
        "Run #{run} evaluated {evaluated}, below the {grade} asked for: the application is closed",
    ),
    # lifecycle reasons, as publications write them (see lifecycle/_bulk.py and _publish.py)
    "reason.first": ("评估为 {evaluated}", "Evaluated {evaluated}"),
    "reason.same": ("评估为 {evaluated}，等级不变", "Evaluated {evaluated}, grade unchanged"),
    "reason.up": ("升级：评估为 {evaluated}", "Upgrade: evaluated {evaluated}"),
    "reason.apply": (
        "评估为 {evaluated}，升级待申请批准",
        "Evaluated {evaluated}; the upgrade awaits an approved application",
    ),
    "reason.down_steps": (
        "降级：评估为 {evaluated}，调整为 {grade}（每次最多降 {steps} 级）",
        "Downgrade: evaluated {evaluated}, set to {grade} (at most {steps} grade(s) down at a time)",
    ),
    "reason.down": ("降级：评估为 {evaluated}，调整为 {grade}", "Downgrade: evaluated {evaluated}, set to {grade}"),
    "reason.held": (
        "降级宽限 {count}/{hold}：评估为 {evaluated}，保留 {grade}",
        "Downgrade grace {count}/{hold}: evaluated {evaluated}, {grade} kept",
    ),
    "reason.provisional": (
        "新客户暂定等级（合作不满 {period}）：评估为 {evaluated}",
        "New customer, provisional grade (customer for less than {period}): evaluated {evaluated}",
    ),
    "reason.confirm": ("暂定期满，确认为 {evaluated}", "Provisional period over, confirmed as {evaluated}"),
    "reason.restore": (
        "特批到期，恢复评估等级 {evaluated}",
        "Special approval ended, back to the evaluated grade {evaluated}",
    ),
    "reason.expired": (
        "特批于 {until} 到期，恢复评估等级 {evaluated}",
        "Special approval ended on {until}, back to the evaluated grade {evaluated}",
    ),
    "reason.cancelled": ("已取消资格，等待恢复", "Cancelled, until reinstated"),
    "reason.override": (
        "特批 #{request}：{grade}，有效至 {until}",
        "Special approval #{request}: {grade} until {until}",
    ),
    "reason.upgrade": ("升级申请 #{request} 获批：{grade}", "Upgrade application #{request} approved: {grade}"),
    "reason.kept": (
        "复评：评估为 {evaluated}，等级不调整",
        "Review: evaluated {evaluated}, grade kept (grace and downgrades wait for the scheduled evaluation)",
    ),
    "reason.cancel": ("取消资格：{why}", "Cancelled: {why}"),
    "reason.reviewed": ("复评调整为 {grade}：{why}", "Changed at review to {grade}: {why}"),
    "reason.reinstate": (
        "恢复资格：{why}，按最近评估 {grade}",
        "Reinstated: {why}; grade of the latest evaluation {grade}",
    ),
}

_UNITS = (("个月", " months"), ("年", " years"), ("周", " weeks"), ("天", " days"))


def message(key: str, lang: str = "zh", /, **params: object) -> str:
    """The message ``key`` in ``lang`` (zh or en), with its ``{placeholders}`` filled.

    Raises
    ------
    KeyError
        For a key that is not in the catalogue.
    """
    zh, en = MESSAGES[key]
    text = en if lang == "en" else zh
    return text.format(**params) if params else text


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    found = []
    for key, (zh, _) in MESSAGES.items():
        if key.startswith("reason."):
            parts = re.split(r"\{(\w+)\}", zh)
            regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
            found.append((len(re.sub(r"\{\w+\}", "", zh)), re.compile(regex + r"\Z"), key))
    # the template with the most fixed text first: '评估为 {evaluated}' must not swallow '评估为 B，等级不变'
    return [(pattern, key) for _, pattern, key in sorted(found, key=lambda item: -item[0])]


def reason(text: str | None, lang: str = "zh") -> str | None:
    """A stored lifecycle reason in ``lang``: as stored for zh, translated by its ``reason.*`` template for en.

    A text that no template matches (an older workspace's wording) is returned as it is.
    """
    if text is None or lang != "en":
        return text
    for pattern, key in _patterns():
        found = pattern.match(text)
        if found:
            params = dict(found.groupdict())
            if "period" in params:
                period = params["period"]
                for zh, en in _UNITS:
                    period = period.replace(" " + zh, en).replace(zh, en)
                params["period"] = period
            return message(key, "en", **params)
    return text
