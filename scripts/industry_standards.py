"""Write the built-in industry standards from the bundled GB/T 4754-2017 table.

``src/tierwise/standards/tables/gb4754-2017.csv`` holds the 20 门类 and 97 大类 (checked
against two independent published copies of the 2017 edition); the three standards map
each 大类 code onto a grade, so they are generated from the table, never typed by hand.
``tests/test_industry.py`` fails when a standard and the table disagree.

    python scripts/industry_standards.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tierwise.spec import industry_codes  # noqa: E402

LIBRARY = ROOT / "src" / "tierwise" / "standards"
UNKNOWN = "未识别"
INDICATOR = 'industry_division: {expr: "left(industry_code, 2)"}  # the 大类: the first two digits'

# 金色俱乐部 商务会员 (the telecom club's business members) by industry, onto GB/T 4754 大类
MEMBER_GROUPS: dict[str, list[int]] = {
    "餐饮、娱乐服务业": [61, 62, 90],
    "批发、零售贸易业": [51, 52],
    "交通运输、仓储业": list(range(53, 61)),
    "通信、电子设备制造业，计算机应用服务业": [38, 39, 63, 64, 65],
    "采掘业": list(range(6, 13)),
    "一般制造业": [*range(13, 38), *range(40, 44)],
    "公共服务业": [44, 45, 46, 72, 76, 77, 78, 79, 80],
    "房地产业": [70],
    "科学教育、文化卫生": [73, 74, 75, *range(83, 90)],
}
OTHER = "其他行业"


def _label(code: str, name: str) -> str:
    return f"{code} {name}"


def _quoted(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def _map_standard(head: str, grades: list[str], values: list[str], otherwise: str) -> str:
    """A standard file: ``head`` (tierwise … description), its grades, and a map of 大类 codes to grades."""
    lines = "\n".join(values)
    return f"""{head.rstrip()}
grades: {_quoted(grades)}
indicators:
  {INDICATOR}
grade:
  map:
    on: industry_division
    values:
{lines}
    otherwise: {otherwise}
missing: {otherwise}
"""


def section_standard() -> str:
    codes = industry_codes()
    sections = {c.code: _label(c.code, c.name) for c in codes if c.level == "门类"}
    head = f"""tierwise: 1
id: industry-section
name: 行业门类划分
version: "2026.1"
description: >
  按《国民经济行业分类》（GB/T 4754-2017）把客户划入 20 个门类：由行业代码（industry_code，
  大类两位或中类、小类更长的代码，取前两位为大类）查附带的代码表（tierwise/standards/tables/gb4754-2017.csv），
  大类所属门类即等级；代码表外的代码与缺少代码的客户为“{UNKNOWN}”，表外代码随评级结果报告。
  Customers by the 20 sections of GB/T 4754-2017, from the first two digits of their industry code
  (the division), looked up in the bundled code table; a code outside it, or none, is {UNKNOWN}.
"""
    values = [f'      "{c.code}": {sections[c.section]}' for c in codes if c.level == "大类"]
    return _map_standard(head, [*sections.values(), UNKNOWN], values, UNKNOWN)


def division_standard() -> str:
    divisions = [c for c in industry_codes() if c.level == "大类"]
    head = f"""tierwise: 1
id: industry-division
name: 行业大类划分
version: "2026.1"
description: >
  按《国民经济行业分类》（GB/T 4754-2017）的 97 个大类划分客户，等级名为“代码 名称”（如“39 计算机、通信和其他电子设备制造业”），
  由行业代码（industry_code）的前两位查附带的代码表；代码表外的代码与缺少代码的客户为“{UNKNOWN}”。
  Customers by the 97 divisions of GB/T 4754-2017, named "code name", from the first two digits of the
  industry code; a code outside the bundled table, or none, is {UNKNOWN}.
"""
    values = [f'      "{c.code}": {_label(c.code, c.name)}' for c in divisions]
    return _map_standard(head, [*(_label(c.code, c.name) for c in divisions), UNKNOWN], values, UNKNOWN)


def member_standard() -> str:
    known = {c.code for c in industry_codes() if c.level == "大类"}
    values = []
    for group, divisions in MEMBER_GROUPS.items():
        for number in divisions:
            code = f"{number:02d}"
            assert code in known, code
            values.append(f'      "{code}": {group}')
    head = """tierwise: 1
id: business-member-industry
name: 商务会员行业划分
version: "2026.1"
description: >
  电信“金色俱乐部”商务会员按所属行业细分，以便为不同行业的会员提供有针对性的差异化服务：
  餐饮、娱乐服务业；批发、零售贸易业；交通运输、仓储业；通信、电子设备制造业，计算机应用服务业；采掘业；
  一般制造业；公共服务业；房地产业；科学教育、文化卫生；其他行业。各组对应到 GB/T 4754-2017 的大类
  （由行业代码前两位得出，对应关系为本库选定：饭店即住宿业 61 与餐饮业 62、娱乐业 90；交通运输、仓储业为门类 G 的 53–60；
  通信电子设备制造含电气机械和器材制造业 38（家用电器）与 39，计算机应用服务为 63–65；采掘业为门类 B；
  一般制造业为其余制造业；公共服务业为电力燃气水 44–46、商务服务业 72（广告、咨询）、水利环境公共设施 76–79、居民服务业 80（社区服务）；
  科学教育、文化卫生为 73–75、教育 83、卫生和社会工作 84–85、新闻出版广电文化体育 86–89），其余大类与缺少代码的客户为其他行业。
  The ten industry groups of the telecom club's business members, each mapped onto GB/T 4754-2017
  divisions (the mapping is this library's choice, listed above); the rest, and customers without a code,
  are 其他行业.
"""
    return _map_standard(head, [*MEMBER_GROUPS, OTHER], values, OTHER)


STANDARDS = {
    "industry-section": section_standard,
    "industry-division": division_standard,
    "business-member-industry": member_standard,
}


def main() -> None:
    for standard_id, build in STANDARDS.items():
        (LIBRARY / f"{standard_id}.yaml").write_text(build(), encoding="utf-8")
        print(f"wrote {standard_id}.yaml")


if __name__ == "__main__":
    main()
