"""Report column labels and sheet titles in Chinese and English, from the one message catalogue (``report.*``)."""

from __future__ import annotations

from tierwise._messages import MESSAGES

__all__ = ["LABELS", "label"]

# the report entries of the one message catalogue, keyed by column name
LABELS: dict[str, tuple[str, str]] = {
    key.removeprefix("report."): pair for key, pair in MESSAGES.items() if key.startswith("report.")
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
