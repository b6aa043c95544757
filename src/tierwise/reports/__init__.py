"""Reports on published grades: every report is a function returning a pandas DataFrame.

The CLI (``tierwise report``), the workbook (``report pack``) and, later, the web pages
show these same frames, so every place shows the same numbers.

Examples
--------
>>> import tierwise.reports as reports
>>> sorted(reports.__all__)[:4]
['CHARTS_OF', 'Dashboard', 'LABELS', 'Pack']
"""

from __future__ import annotations

from ._dashboard import Dashboard, dashboard
from ._distribution import distribution, gini, lorenz
from ._due import due, next_evaluation
from ._effect import effect, effect_breaks
from ._html import CHARTS_OF, chart_options, render_html, write_html
from ._labels import LABELS, label
from ._migration import migration, migration_summary
from ._pdf import write_pdf
from ._published import Published, previous, published
from ._tables import entitlements, grade_list, region_analysis, sales_pivot, special_terms
from ._tracking import write_model_page
from ._workbook import Pack, report_pack, write_pack

__all__ = [
    "CHARTS_OF",
    "LABELS",
    "Dashboard",
    "Pack",
    "Published",
    "chart_options",
    "dashboard",
    "distribution",
    "due",
    "effect",
    "effect_breaks",
    "entitlements",
    "gini",
    "grade_list",
    "label",
    "lorenz",
    "migration",
    "migration_summary",
    "next_evaluation",
    "previous",
    "published",
    "region_analysis",
    "render_html",
    "report_pack",
    "sales_pivot",
    "special_terms",
    "write_html",
    "write_model_page",
    "write_pack",
    "write_pdf",
]
