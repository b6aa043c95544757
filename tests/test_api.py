"""The public API is ``tierwise.__all__``: everything listed exists and is documented."""

from __future__ import annotations

import pytest
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
    summary = result.summary().to_dict("records")
    assert [row["grade"] for row in summary] == standard.grades
    assert sum(row["customers"] for row in summary) == 2357
    top = result.to_pandas().sort_values("spend", ascending=False).iloc[0]
    assert top["grade"] == "铂金"
    assert "铂金" in str(result.explain(top["customer_id"]))


def test_the_summary_is_a_dataframe_by_any_column_of_the_result_and_shows_in_notebooks() -> None:
    standard = tierwise.load_builtin("value-potential-urgency")
    from tierwise.demo import AS_OF, generate

    data = generate(customers=300, seed=2)
    result = tierwise.evaluate(standard, data=data, as_of=AS_OF)
    table = result.to_pandas()
    column = next(c for c in table.columns if c not in ("customer_id", "grade") and table[c].nunique() <= 5)
    summary = result.summary(by=[column])
    assert list(summary.columns[:2]) == [column, "grade"]
    for group, part in summary.groupby(column):
        members = table[table[column] == group]
        assert part["customers"].sum() == len(members)
        counts = members["grade"].value_counts()
        assert dict(zip(part["grade"], part["customers"], strict=True)) == {
            g: int(counts.get(g, 0)) for g in standard.grades
        }
    html = result._repr_html_()
    assert "<table" in html
    assert standard.name in html
    with pytest.raises(ValueError, match="has no column region to group by"):
        result.summary(by=["region"])
