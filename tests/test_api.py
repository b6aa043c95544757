"""The public API is ``tierwise.__all__``: everything listed exists and is documented."""

from __future__ import annotations

from tests.conftest import CDNOW, EXAMPLES

import tierwise


def test_public_api_lists_only_existing_documented_names() -> None:
    assert len(set(tierwise.__all__)) == len(tierwise.__all__)
    for name in tierwise.__all__:
        obj = getattr(tierwise, name)
        if name != "__version__":
            assert obj.__doc__, name


def test_notebook_workflow_evaluate_explain_summary() -> None:
    standard = tierwise.load_standard(EXAMPLES / "standards" / "cdnow-pyramid.yaml")
    result = tierwise.evaluate(standard, data=CDNOW, as_of="1998-06-30")
    arrow = result.to_arrow()
    assert arrow.num_rows == 2357
    assert arrow.column_names[:6] == ["customer_id", "grade", "grade_rank", "reason", "next_grade", "gap_to_next"]
    assert arrow.column_names[-3:] == ["standard_id", "standard_version", "as_of"]
    summary = result.summary()
    assert [row["grade"] for row in summary] == standard.grades
    assert sum(row["customers"] for row in summary) == 2357
    top = result.to_pandas().sort_values("spend", ascending=False).iloc[0]
    assert top["grade"] == "铂金"
    assert "铂金" in str(result.explain(top["customer_id"]))
