"""The yearly cycle through the web app in process: dashboard, runs, the review meeting (复评), publishing, drafts.

Each test states one rule of the process; numbers on the pages are held to the pandas
reports (an independent computation), and every list is checked for region scoping.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests._webdata import FORMS_STANDARD, HOSTILE_NAME, PASSWORD, STANDARD, WebData, build

import tierwise.lifecycle as lc
import tierwise.reports as reports
import tierwise.workspace as tw
from tierwise.demo import CRITERIA
from tierwise.web import create_app
from tierwise.web._charts import heatmap, period_names, sankey

YESTERDAY = dt.date.today() - dt.timedelta(days=1)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    return build(tmp_path_factory.mktemp("cycle") / "ws")


@pytest.fixture(scope="module")
def app(data: WebData) -> Iterator[Any]:
    made = create_app(data.root, animate=False)
    with TestClient(made):
        yield made


def client(app: Any, name: str) -> TestClient:
    made = TestClient(app)
    assert made.post("/api/v1/login", json={"name": name, "password": PASSWORD}).status_code == 200
    return made


def _user(data: WebData, name: str) -> tw.User:
    return next(u for u in tw.list_users(tw.Workspace(data.root)) if u.name == name)


def _new_run(app: Any, as_of: dt.date = YESTERDAY) -> int:
    answer = client(app, "ana").post("/api/v1/runs", json={"standard": STANDARD, "as_of": as_of.isoformat()})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["id"])


# -- the dashboard --------------------------------------------------------------------------------------------------


def test_the_dashboard_distribution_lorenz_and_gini_agree_with_the_pandas_reports(app: Any, data: WebData) -> None:
    board = client(app, "wang").get("/api/v1/dashboard").json()
    source = reports.published(tw.Workspace(data.root), STANDARD, as_of=dt.date.today())
    expected = reports.distribution(source)
    assert [r["grade"] for r in board["distribution"]] == expected["grade"].tolist()
    assert [r["customers"] for r in board["distribution"]] == expected["customers"].tolist()
    for got, want in zip(board["distribution"], expected.itertuples(), strict=True):
        assert got["value"] == pytest.approx(want.value)
        assert got["value_share"] == pytest.approx(want.value_share)
    assert board["gini"] == pytest.approx(reports.gini(source))
    curve = reports.lorenz(source)
    for share, value_share in board["lorenz"][1:]:
        rank = round(share * len(curve))
        assert value_share == pytest.approx(curve["value_share"].iloc[rank - 1], abs=1e-6)
    assert board["lorenz"][-1] == [1.0, pytest.approx(1.0)]


def test_the_dashboard_migration_counts_every_customer_between_the_two_publications(app: Any, data: WebData) -> None:
    board = client(app, "wang").get("/api/v1/dashboard").json()
    ws = tw.Workspace(data.root)
    before = lc.grades_on(ws, STANDARD, dt.date.fromisoformat(board["previous"]))
    after = lc.grades_on(ws, STANDARD, dt.date.today())
    pairs: dict[tuple[str | None, str | None], int] = {}
    for customer in set(before) | set(after):
        key = (before.get(customer, (None, ""))[0], after.get(customer, (None, ""))[0])
        pairs[key] = pairs.get(key, 0) + 1
    assert {(m["before"], m["after"]): m["customers"] for m in board["migration"]} == pairs


def test_an_account_manager_dashboard_counts_only_their_region(app: Any, data: WebData) -> None:
    mine = client(app, "li").get("/api/v1/dashboard").json()
    assert {r["region"] for r in mine["regions"]} == {data.region}
    everyone = client(app, "wang").get("/api/v1/dashboard").json()
    in_region = sum(r["customers"] for r in everyone["regions"] if r["region"] == data.region)
    assert mine["customers"] == in_region
    assert sum(m["customers"] for m in mine["migration"]) <= data.in_region


def test_the_dashboard_is_recomputed_after_a_change_to_the_workspace(app: Any, data: WebData) -> None:
    wang = client(app, "wang")
    first = wang.get("/api/v1/dashboard").json()
    cached = reports.dashboard(tw.Workspace(data.root), STANDARD, None)
    assert cached is reports.dashboard(tw.Workspace(data.root), STANDARD, None), "unchanged: from the cache"
    customer = wang.get("/api/v1/customers", params={"grade": "C", "size": 1}).json()["rows"][0]["customer_id"]
    answer = wang.post(f"/api/v1/customers/{customer}/cancel", json={"standard": STANDARD, "why": "客户注销"})
    assert answer.status_code == 200, answer.text
    after = wang.get("/api/v1/dashboard").json()
    assert after["customers"] == first["customers"] - 1
    wang.post(f"/api/v1/customers/{customer}/reinstate", json={"standard": STANDARD, "why": "误操作"})
    assert wang.get("/api/v1/dashboard").json()["customers"] == first["customers"]


def test_the_dashboard_page_embeds_its_charts_as_json_data_with_markup_escaped(app: Any, data: WebData) -> None:
    html = client(app, "wang").get("/dashboard").text
    blocks = re.findall(r'<script type="application/json" data-chart="([\w-]+)">(.*?)</script>', html, re.S)
    assert {name for name, _ in blocks} == {"chart-distribution", "chart-lorenz", "chart-regions", "chart-sankey"}
    for _, text in blocks:
        assert "<" not in text, "tojson escapes markup inside the data block"
        json.loads(text)
    assert 'data-animation="off"' in html


# -- charts ---------------------------------------------------------------------------------------------------------


def test_sankey_nodes_are_named_per_period_so_a_grade_kept_is_no_cycle() -> None:
    option = sankey([("A", "A", 3), ("A", "B", 1), ("B", "A", 2), (None, "B", 1)], ["A", "B"], ("2025", "2026"), "zh")
    series = option["series"][0]
    names = {n["name"] for n in series["data"]}
    assert names == {"A(2025)", "B(2025)", "未评级(2025)", "A(2026)", "B(2026)"}
    assert all(link["source"].endswith("(2025)") and link["target"].endswith("(2026)") for link in series["links"])


def test_periods_are_years_when_the_years_differ_else_days() -> None:
    assert period_names(dt.date(2024, 12, 31), dt.date(2025, 12, 31)) == ("2024", "2025")
    assert period_names(dt.date(2025, 6, 30), dt.date(2025, 12, 31)) == ("2025-06-30", "2025-12-31")


def test_the_heatmap_puts_each_count_in_its_row_and_column() -> None:
    option = heatmap([("A", "B", 4), ("B", None, 2)], ["A", "B"], "en")
    assert sorted(map(tuple, option["series"][0]["data"])) == [(1, 0, 4), (2, 1, 2)]


# -- the review meeting ---------------------------------------------------------------------------------------------


def test_a_new_run_waits_for_review_and_its_proposals_are_counted_by_move(app: Any, data: WebData) -> None:
    run = _new_run(app)
    wang = client(app, "wang")
    assert run in [r["id"] for r in wang.get("/api/v1/runs").json()["runs"]]
    review = wang.get(f"/api/v1/runs/{run}/review", params={"size": 500}).json()
    counts = review["counts"]
    assert counts["all"] == review["total"] == len(review["rows"])
    assert sum(v for k, v in counts.items() if k != "all") == counts["all"]
    for move in ("up", "down", "held", "new"):
        rows = wang.get(f"/api/v1/runs/{run}/review", params={"move": move, "size": 500}).json()["rows"]
        assert len(rows) == counts[move]
        assert all(r["move"] == move for r in rows)
    grades = review["grades"]
    for row in review["rows"]:
        if row["move"] == "up":
            assert grades.index(row["proposed"]) < grades.index(row["published"])
        if row["move"] == "held":
            assert row["proposed"] == row["published"]


def test_an_account_manager_reviews_only_the_proposals_of_their_region(app: Any, data: WebData) -> None:
    run = _new_run(app)
    rows = client(app, "li").get(f"/api/v1/runs/{run}/review", params={"size": 500}).json()["rows"]
    assert rows
    assert {r["region"] for r in rows} == {data.region}
    page = client(app, "li").get(f"/review/{run}").text
    assert "调整" not in re.sub(r"<[^>]+>", "", page.split("<tbody>")[1].split("</tbody>")[0]), "no change form"


def test_a_change_at_review_needs_a_reason_and_a_grade_of_the_standard(app: Any, data: WebData) -> None:
    run = _new_run(app)
    wang = client(app, "wang")
    customer = data.mine
    no_reason = wang.post(f"/api/v1/runs/{run}/changes", json={"customer": customer, "grade": "A"})
    assert no_reason.status_code == 400
    assert "why" in no_reason.json()["detail"]
    blank = wang.post(f"/api/v1/runs/{run}/changes", json={"customer": customer, "grade": "A", "why": "   "})
    assert blank.status_code == 400
    wrong = wang.post(f"/api/v1/runs/{run}/changes", json={"customer": customer, "grade": "AAA", "why": "x"})
    assert wrong.status_code == 400
    assert "'AAA' is not a grade" in wrong.json()["detail"]
    assert "VIP, A, B, C" in wrong.json()["detail"]
    nobody = wang.post(f"/api/v1/runs/{run}/changes", json={"customer": "C999999", "grade": "A", "why": "x"})
    assert nobody.status_code == 404
    assert not wang.get(f"/api/v1/runs/{run}/review", params={"move": "changed"}).json()["rows"]


def test_a_change_taken_back_leaves_the_run_as_the_standard_graded_it(app: Any, data: WebData) -> None:
    run = _new_run(app, YESTERDAY + dt.timedelta(days=1))
    wang = client(app, "wang")
    wang.post(f"/api/v1/runs/{run}/changes", json={"customer": data.formula, "grade": "A", "why": "试一下"})
    assert wang.post(f"/api/v1/runs/{run}/changes/{data.formula}/undo", json={}).status_code == 200
    assert not wang.get(f"/api/v1/runs/{run}/review", params={"move": "changed"}).json()["rows"]
    again = wang.post(f"/api/v1/runs/{run}/changes/{data.formula}/undo", json={})
    assert again.status_code == 404


def test_an_account_manager_cannot_change_grades_at_review(app: Any, data: WebData) -> None:
    run = _new_run(app, YESTERDAY + dt.timedelta(days=1))
    answer = client(app, "li").post(
        f"/api/v1/runs/{run}/changes", json={"customer": data.mine, "grade": "A", "why": "想升级"}
    )
    assert answer.status_code == 403


# -- standards, drafts, simulation ---------------------------------------------------------------------------------


def test_a_saved_draft_answers_every_problem_with_its_line(app: Any, data: WebData) -> None:
    ana = client(app, "ana")
    text = ana.get(f"/api/v1/standards/{STANDARD}").json()["text"]
    broken = text.replace("grades:", "gradez:", 1).replace("at_least:", "at_leest:", 1)
    problems = ana.post(f"/api/v1/standards/{STANDARD}/draft", json={"text": broken}).json()["problems"]
    messages = " | ".join(p["message"] for p in problems)
    assert "Unknown key 'gradez'" in messages
    assert "at_leest" in messages
    assert all(p["line"] for p in problems if "Unknown key" in p["message"])
    stored = ana.get(f"/api/v1/standards/{STANDARD}").json()["draft"]
    assert stored["text"] == broken, "saving keeps the text, problems and all"
    assert stored["problems"] == problems
    refused = ana.get(f"/api/v1/standards/{STANDARD}/simulate")
    assert refused.status_code == 400
    assert "gradez" in refused.json()["detail"]


def test_a_draft_under_another_id_is_a_located_problem(app: Any, data: WebData) -> None:
    ana = client(app, "ana")
    text = ana.get(f"/api/v1/standards/{STANDARD}").json()["text"]
    problems = ana.post(
        f"/api/v1/standards/{STANDARD}/draft", json={"text": text.replace(f"id: {STANDARD}", "id: other-one")}
    ).json()["problems"]
    assert len(problems) == 1
    assert "keep the id" in problems[0]["message"]
    assert problems[0]["line"]


def test_simulating_a_threshold_change_moves_customers_and_stores_nothing(app: Any, data: WebData) -> None:
    ana = client(app, "ana")
    text = ana.get(f"/api/v1/standards/{STANDARD}").json()["text"]
    assert (
        ana.post(f"/api/v1/standards/{STANDARD}/draft", json={"text": text.replace("200万", "100万")}).json()[
            "problems"
        ]
        == []
    )
    runs = len(tw.list_runs(tw.Workspace(data.root)))
    result = ana.get(f"/api/v1/standards/{STANDARD}/simulate").json()
    assert result["upgrades"] > result["downgrades"], "a lower bar moves customers up (down: only grades set by hand)"
    moved = result["upgrades"] + result["downgrades"] + result["entries"] + result["exits"]
    assert result["moved_customers"] == moved
    assert sum(c["customers"] for c in result["cells"]) == moved + result["unchanged"]
    assert len(tw.list_runs(tw.Workspace(data.root))) == runs
    page = ana.get(f"/standards/{STANDARD}/simulate").text
    assert 'id="matrix"' in page
    assert 'data-chart="chart-sankey"' in page


def test_a_run_of_the_draft_uses_the_draft_text(app: Any, data: WebData) -> None:
    ana = client(app, "ana")
    text = ana.get(f"/api/v1/standards/{STANDARD}").json()["text"].replace("200万", "120万")
    ana.post(f"/api/v1/standards/{STANDARD}/draft", json={"text": text})
    answer = ana.post(
        "/api/v1/runs",
        json={"standard": STANDARD, "source": "draft", "as_of": (YESTERDAY + dt.timedelta(days=1)).isoformat()},
    )
    assert answer.status_code == 200, answer.text
    stored = tw.Workspace(data.root).records("SELECT standard_text FROM runs WHERE id = ?", [answer.json()["id"]])
    assert stored[0]["standard_text"] == text


def test_a_draft_run_leaves_the_standard_in_force_and_publishes_only_with_its_rule_diff_confirmed(
    app: Any, data: WebData
) -> None:
    ana, wang = client(app, "ana"), client(app, "wang")
    published = ana.get(f"/api/v1/standards/{STANDARD}").json()["text"]
    ana.post(f"/api/v1/standards/{STANDARD}/draft", json={"text": published.replace("200万", "110万")})
    day = (YESTERDAY + dt.timedelta(days=1)).isoformat()
    run = ana.post("/api/v1/runs", json={"standard": STANDARD, "source": "draft", "as_of": day}).json()["id"]
    ana.post(f"/api/v1/standards/{STANDARD}/draft/delete")
    assert ana.get(f"/api/v1/standards/{STANDARD}").json()["text"] == published, "a run never changes it"
    assert next(r for r in wang.get("/api/v1/runs").json()["runs"] if r["id"] == run)["draft"]
    review = wang.get(f"/api/v1/runs/{run}/review").json()
    assert "+" in review["rules"]["diff"]
    assert "110万" in review["rules"]["diff"]
    page = wang.get(f"/review/{run}").text
    assert 'id="rule-diff"' in page
    assert 'name="accept_rules"' in page
    refused = wang.post(f"/api/v1/runs/{run}/publish", json={"confirm": True})
    assert refused.status_code == 400
    assert "规则差异" in refused.json()["detail"]


def test_viewers_read_standards_but_cannot_save_drafts_or_simulate(app: Any, data: WebData) -> None:
    view = client(app, "view")
    assert view.get(f"/standards/{STANDARD}").status_code == 200
    assert "草稿编辑器" in view.get(f"/standards/{STANDARD}").text
    assert "<textarea" not in view.get(f"/standards/{STANDARD}").text
    assert view.post(f"/api/v1/standards/{STANDARD}/draft", json={"text": "x"}).status_code == 403
    assert view.get(f"/api/v1/standards/{STANDARD}/simulate").status_code == 403


def test_a_standard_id_is_never_a_path(app: Any, data: WebData) -> None:
    (data.root / "secret.yaml").write_text("tierwise: 1\nid: secret\n", encoding="utf-8")
    ana = client(app, "ana")
    for name in ("..%2Fsecret", "../secret", "%2E%2E%2Fsecret"):
        answer = ana.get(f"/api/v1/standards/{name}")
        assert answer.status_code == 404, name
        assert "tierwise: 1" not in answer.text, "nothing of the file is read"


def test_markup_in_names_is_escaped_on_the_review_page(app: Any, data: WebData) -> None:
    run = _new_run(app, YESTERDAY + dt.timedelta(days=1))
    html = client(app, "wang").get(f"/review/{run}", params={"q": data.hostile}).text
    assert HOSTILE_NAME not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- assessment forms (初评) ------------------------------------------------------------------------------------------

RATINGS = dict.fromkeys(CRITERIA, "好")


def test_a_form_has_one_field_per_rated_criterion_with_its_scale(app: Any, data: WebData) -> None:
    form = client(app, "li").get(f"/api/v1/forms/{FORMS_STANDARD}/{data.mine}").json()
    assert [f["criterion"] for f in form["fields"]] == list(CRITERIA)
    assert all(f["options"] == ["好", "较好", "一般", "差"] for f in form["fields"])
    assert sum(f["weight"] for f in form["fields"]) == 100
    wrong = client(app, "li").get(f"/api/v1/forms/{STANDARD}/{data.mine}")
    assert wrong.status_code == 400
    assert "rates no criteria on a form" in wrong.json()["detail"]


def test_a_sales_head_lists_and_fills_forms_only_for_their_region(app: Any, data: WebData) -> None:
    li = client(app, "li")
    listed = li.get("/api/v1/forms", params={"size": 500}).json()
    assert listed["standard"] == FORMS_STANDARD
    assert listed["total"] == data.in_region
    assert {r["region"] for r in listed["rows"]} == {data.region}
    assert sum(listed["counts"].values()) == data.in_region
    other = li.post(f"/api/v1/forms/{FORMS_STANDARD}/{data.other}", json={"ratings": RATINGS})
    assert other.status_code == 404, "another region's customer is answered like a missing one"
    assert data.region not in other.json()["detail"]
    assert li.get(f"/api/v1/forms/{FORMS_STANDARD}/{data.other}").status_code == 404
    assert client(app, "view").post(f"/api/v1/forms/{FORMS_STANDARD}/{data.mine}", json={}).status_code == 403


def test_a_draft_may_be_partial_but_a_submitted_form_rates_every_criterion(app: Any, data: WebData) -> None:
    li = client(app, "li")
    url = f"/api/v1/forms/{FORMS_STANDARD}/{data.formula}"
    saved = li.post(url, json={"ratings": {"销售实现": "较好"}, "comment": "先填一项"})
    assert saved.status_code == 200, saved.text
    assert li.get(url).json()["form"]["status"] == "draft"
    refused = li.post(url, json={"ratings": {"销售实现": "较好"}, "submit": True})
    assert refused.status_code == 400
    assert "rate 综合实力" in refused.json()["detail"]
    bad = li.post(url, json={"ratings": {"销售实现": "优秀", "销售": "好"}})
    detail = bad.json()["detail"]
    assert "'优秀' is not a rating of '销售实现'" in detail
    assert "'销售' is not a criterion" in detail, "every problem at once"


def test_a_submitted_form_is_in_the_next_run_and_reviewed_when_it_is_published(app: Any, data: WebData) -> None:
    li = client(app, "li")
    url = f"/api/v1/forms/{FORMS_STANDARD}/{data.mine}"
    ratings = {**RATINGS, "资信度": "差"}
    submitted = li.post(url, json={"ratings": ratings, "comment": "年度评估", "submit": True})
    assert submitted.status_code == 200, submitted.text
    form = li.get(url).json()["form"]
    assert (form["status"], form["submitted_by"]) == ("submitted", "li")
    assert li.post(url, json={"ratings": RATINGS}).status_code == 400, "a submitted form is not changed"
    rows = tw.Workspace(data.root).records(
        "SELECT criterion, rating, assessor, assessed_at FROM data.assessments WHERE customer_id = ? "
        "AND assessor = 'li' ORDER BY criterion",
        [data.mine],
    )
    assert {r["criterion"]: r["rating"] for r in rows} == ratings
    assert {r["assessed_at"] for r in rows} == {dt.date.today()}
    ana, wang = client(app, "ana"), client(app, "wang")
    run = ana.post("/api/v1/runs", json={"standard": FORMS_STANDARD, "as_of": dt.date.today().isoformat()}).json()
    explained = wang.get(f"/api/v1/customers/{data.mine}/explain/{run['id']}").json()
    assert explained["indicators"]["资信度"] == "差"
    assert explained["indicators"]["销售实现"] == "好"
    assert wang.post(f"/api/v1/runs/{run['id']}/publish", json={"confirm": True}).status_code == 200
    form = li.get(url).json()["form"]
    assert (form["status"], form["reviewed_run"]) == ("reviewed", run["id"])
    board = wang.get("/api/v1/dashboard", params={"standard": FORMS_STANDARD}).json()
    assert board["forms"]["reviewed"] >= 1
    actions = {r["action"] for r in wang.get("/api/v1/audit", params={"customer": data.mine}).json()["rows"]}
    assert {"form-submitted"} <= actions


def test_the_form_page_posts_the_ratings_as_fields(app: Any, data: WebData) -> None:
    li = client(app, "li")
    customer = next(
        r["customer_id"]
        for r in li.get("/api/v1/forms", params={"status": "none", "size": 5}).json()["rows"]
        if r["customer_id"] not in (data.mine, data.formula)
    )
    page = li.get(f"/forms/{FORMS_STANDARD}/{customer}").text
    assert 'name="rating.销售实现"' in page
    fields = {f"rating.{c}": "一般" for c in CRITERIA} | {"comment": "现场走访", "action": "save"}
    answer = li.post(f"/api/v1/forms/{FORMS_STANDARD}/{customer}", data=fields, headers={"HX-Request": "true"})
    assert answer.status_code == 200, answer.text
    assert "done=forms.done_saved" in answer.headers["HX-Redirect"]
    form = li.get(f"/api/v1/forms/{FORMS_STANDARD}/{customer}").json()["form"]
    assert (form["status"], form["comment"], form["ratings"]["资信度"]) == ("draft", "现场走访", "一般")


# -- imports --------------------------------------------------------------------------------------------------------


def _export(data: WebData, bad: bool) -> bytes:
    """A month's transactions as the sales system exports them: GBK, Chinese headers, 万 and 年月日."""
    people = tw.Workspace(data.root).records("SELECT customer_id FROM data.customers ORDER BY 1 LIMIT 3")
    ids = [p["customer_id"] for p in people]
    lines = ["客户编号,交易日期,金额", f"{ids[0]},2026年3月5日,12.3万", f'{ids[1]},2026/3/6,"1,234.50"']
    lines.append(f"{ids[2]},2026-03-07,{'十二块' if bad else '88'}")
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


MONTH = "sales_march"  # a table of its own: an export's columns, not the transactions table's


def _upload(made: TestClient, content: bytes, name: str = "三月交易.csv", table: str = MONTH) -> Any:
    return made.post(
        "/api/v1/imports/upload",
        data={"table": table, "mode": "append"},
        files={"file": (name, content, "text/csv")},
    )


def test_an_upload_is_previewed_with_its_mapping_units_and_first_rows_and_nothing_lands(
    app: Any, data: WebData
) -> None:
    before = tw.Workspace(data.root).tables().get(MONTH, 0)
    answer = _upload(client(app, "ana"), _export(data, bad=False))
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    assert preview["mapping"] == {"客户编号": "customer_id", "交易日期": "date", "金额": "amount"}
    assert (preview["rows"], preview["bad_rows"], preview["file"]) == (3, 0, "三月交易.csv")
    assert preview["first"][0]["amount"] == 123000
    assert preview["first"][0]["date"] == "2026-03-05"
    assert preview["first"][1]["amount"] == 1234.5
    assert tw.Workspace(data.root).tables().get(MONTH, 0) == before, "a preview writes nothing"
    staged = list((data.root / "uploads").iterdir())
    assert all(re.fullmatch(r"[0-9a-f]{32}\.csv", p.name) for p in staged), "the browser's name is never a path"


def test_an_upload_with_one_bad_row_shows_the_report_and_importing_lands_nothing(app: Any, data: WebData) -> None:
    ana = client(app, "ana")
    before = tw.Workspace(data.root).tables().get(MONTH, 0)
    preview = _upload(ana, _export(data, bad=True)).json()
    assert preview["bad_rows"] == 1
    assert [(p["row"], p["column"], p["value"]) for p in preview["problems"]] == [(4, "amount", "十二块")]
    query = {"table": MONTH, "mode": "append", "name": "三月交易.csv"}
    report = ana.get(f"/imports/{preview['token']}/problems.csv", params=query)
    assert report.status_code == 200
    assert "十二块" in report.content.decode("utf-8-sig")
    refused = ana.post(f"/api/v1/imports/{preview['token']}", json=query)
    assert refused.status_code == 400
    assert "nothing was imported" in refused.json()["detail"] or "未导入任何数据" in refused.json()["detail"]
    assert tw.Workspace(data.root).tables().get(MONTH, 0) == before
    actions = [r["action"] for r in client(app, "wang").get("/api/v1/audit", params={"size": 5}).json()["rows"]]
    assert "import-refused" in actions


def test_a_good_upload_is_imported_in_one_step_and_audited(app: Any, data: WebData) -> None:
    ana = client(app, "ana")
    before = tw.Workspace(data.root).tables().get(MONTH, 0)
    preview = _upload(ana, _export(data, bad=False)).json()
    query = {"table": MONTH, "mode": "append", "name": "三月交易.csv"}
    done = ana.post(f"/api/v1/imports/{preview['token']}", json=query)
    assert done.status_code == 200, done.text
    assert done.json()["rows"] == 3
    assert tw.Workspace(data.root).tables().get(MONTH, 0) == before + 3
    assert ana.get(f"/api/v1/imports/{preview['token']}", params=query).status_code == 404, "the upload is gone"
    recorded = tw.Workspace(data.root).records("SELECT file FROM imports ORDER BY id DESC LIMIT 1")
    assert recorded[0]["file"].endswith(".csv")


def test_an_upload_appends_by_default_and_replacing_shows_what_it_deletes_and_needs_a_confirmation(
    app: Any, data: WebData
) -> None:
    ana = client(app, "ana")
    assert '<option value="append" selected>' in ana.get("/imports").text
    appended = ana.post(  # no mode: append
        "/api/v1/imports/upload",
        data={"table": MONTH},
        files={"file": ("三月.csv", _export(data, bad=False), "text/csv")},
    ).json()
    assert appended["mode"] == "append"
    assert appended["replaces"] is None
    before = tw.Workspace(data.root).tables()[MONTH]
    made = ana.post(
        "/api/v1/imports/upload",
        data={"table": MONTH, "mode": "replace"},
        files={"file": ("三月交易.csv", _export(data, bad=False), "text/csv")},
    ).json()
    assert f"替换会删除表“{MONTH}”现有的全部 {before:,} 行" in made["replaces"]
    query = {"table": MONTH, "mode": "replace", "name": "三月交易.csv"}
    assert 'name="confirm_replace"' in ana.get(f"/imports/{made['token']}", params=query).text
    refused = ana.post(f"/api/v1/imports/{made['token']}", json=query)
    assert refused.status_code == 400
    assert "勾选确认" in refused.json()["detail"]
    assert tw.Workspace(data.root).tables()[MONTH] == before
    replaced = ana.post(f"/api/v1/imports/{made['token']}", json={**query, "confirm_replace": True})
    assert replaced.status_code == 200, replaced.text
    assert tw.Workspace(data.root).tables()[MONTH] == 3
    audited = tw.Workspace(data.root).audit_records()[-1]
    assert audited["action"] == "import"
    assert f'"replaced": {{"rows": {before},' in audited["detail"]


def test_uploads_are_refused_for_other_files_and_for_roles_that_do_not_import(app: Any, data: WebData) -> None:
    ana = client(app, "ana")
    wrong = _upload(ana, b"MZ...", name="payload.exe")
    assert wrong.status_code == 400
    assert "must be .csv" in wrong.json()["detail"]
    traversal = _upload(ana, _export(data, bad=False), name="../../tierwise.toml.csv")
    assert traversal.status_code == 200
    assert traversal.json()["file"] == "tierwise.toml.csv"
    assert not (data.root.parent / "tierwise.toml.csv").exists()
    assert _upload(client(app, "li"), _export(data, bad=False)).status_code == 403
    assert client(app, "ana").get(f"/api/v1/imports/{'../' * 3}x", params={"table": "t"}).status_code == 404


# -- reports --------------------------------------------------------------------------------------------------------


def test_the_reports_page_shows_the_pack_with_its_charts(app: Any, data: WebData) -> None:
    html = client(app, "wang").get("/reports", params={"standard": STANDARD}).text
    assert 'id="sheet-distribution"' in html
    assert 'id="sheet-grade_list"' in html
    assert 'data-chart="chart-distribution"' in html
    assert "<script>" not in html.replace('<script type="application/json"', "")


def test_an_account_manager_downloads_reports_of_their_region_only(app: Any, data: WebData) -> None:
    import io

    import openpyxl

    answer = client(app, "li").get("/reports.xlsx", params={"standard": STANDARD})
    assert answer.status_code == 200
    assert answer.headers["content-disposition"].endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    names = book.sheetnames
    listed = book[next(n for n in names if "分级表" in n)]
    rows = list(listed.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r and "区域" in r)  # under the sheet's title
    region = list(rows[header]).index("区域")
    assert {r[region] for r in rows[header + 1 :] if r[region]} == {data.region}
    everyone = reports.report_pack(tw.Workspace(data.root), STANDARD).sheets["grade_list"]
    mine = reports.report_pack(tw.Workspace(data.root), STANDARD, user=_user(data, "li")).sheets["grade_list"]
    assert len(mine) < len(everyone)
    assert set(mine["region"]) == {data.region}
    page = client(app, "li").get("/reports", params={"standard": STANDARD}).text
    assert data.hostile not in page, "another region's customer is not listed"


def test_the_pdf_report_is_a_pdf(app: Any, data: WebData) -> None:
    answer = client(app, "li").get("/reports.pdf", params={"standard": STANDARD})
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF")


def test_a_change_through_the_app_computes_the_dashboards_again_before_anyone_asks(app: Any, data: WebData) -> None:
    from tierwise.reports import _dashboard

    wang = client(app, "wang")
    before = wang.get("/api/v1/dashboard").json()["customers"]
    customer = wang.get("/api/v1/customers", params={"grade": "C", "size": 1}).json()["rows"][0]["customer_id"]
    _dashboard._CACHE.clear()
    assert (
        wang.post(f"/api/v1/customers/{customer}/cancel", json={"standard": STANDARD, "why": "注销"}).status_code == 200
    )
    warmed = [board for key, board in _dashboard._CACHE.items() if key[1] == STANDARD and key[4] is None]
    assert [board.customers for board in warmed] == [before - 1]
    wang.post(f"/api/v1/customers/{customer}/reinstate", json={"standard": STANDARD, "why": "误操作"})


def test_the_review_page_shows_what_publishing_does_with_the_customers_one_click_away(app: Any, data: WebData) -> None:
    run = _new_run(app, YESTERDAY + dt.timedelta(days=1))
    wang = client(app, "wang")
    impact = wang.get(f"/api/v1/runs/{run}/review").json()["impact"]
    assert sum(impact["counts"].values()) == tw.get_run(tw.Workspace(data.root), run).customers
    assert impact["entitlements"], "annual-sales-grade's policies: 账期, 拜访频率 …"
    page = wang.get(f"/review/{run}").text
    assert 'id="impact"' in page
    assert 'name="confirm"' in page
    for outcome, count in impact["counts"].items():
        if count:
            assert f"/review/{run}?outcome={outcome}" in page
            listed = wang.get(f"/api/v1/runs/{run}/review", params={"outcome": outcome, "size": 500}).json()
            assert listed["total"] == count, outcome
    unconfirmed = wang.post(f"/api/v1/runs/{run}/publish", json={})
    assert unconfirmed.status_code == 400
    assert "需要确认" in unconfirmed.json()["detail"]
    assert tw.get_run(tw.Workspace(data.root), run).state == "pending"


def test_the_run_form_defaults_to_the_newest_data_day(app: Any, data: WebData) -> None:
    listed = client(app, "ana").get("/api/v1/runs").json()
    newest = tw.newest_data_day(tw.Workspace(data.root))
    assert newest is not None
    assert listed["newest_data"] == newest.isoformat()
    assert listed["default_day"] == min(newest, dt.date.today()).isoformat()
    assert f'value="{listed["default_day"]}"' in client(app, "ana").get("/review").text


def test_a_run_superseded_by_a_later_publication_is_listed_stale_with_why_and_cannot_be_published(
    app: Any, data: WebData
) -> None:
    today = YESTERDAY + dt.timedelta(days=1)
    old, new = _new_run(app, today), _new_run(app, today)
    wang = client(app, "wang")
    assert wang.post(f"/api/v1/runs/{new}/publish", json={"confirm": True}).status_code == 200
    listed = wang.get("/api/v1/runs").json()
    assert old not in [r["id"] for r in listed["runs"]]
    stale = next(r for r in listed["stale"] if r["id"] == old)
    assert stale["state"] == "stale"
    assert f"评估 #{new}" in stale["stale"]
    assert all(r["state"] == "pending" for r in listed["runs"])
    assert 'id="stale-runs"' in wang.get("/review").text
    page = wang.get(f"/review/{old}").text
    assert 'id="stale"' in page
    assert 'id="publish"' not in page
    refused = wang.post(f"/api/v1/runs/{old}/publish", json={"confirm": True})
    assert refused.status_code == 400
    assert f"请用当前数据开始一次新的“{STANDARD}”评估" in refused.json()["detail"]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[Any, WebData]]:
    """A workspace of its own: a publication as of today makes every later run as of today stale."""
    made = build(tmp_path / "ws")
    app = create_app(made.root, animate=False)
    with TestClient(app):
        yield app, made


def test_the_meeting_changes_a_grade_with_a_reason_and_publishing_keeps_it_with_the_reason(
    fresh: tuple[Any, WebData],
) -> None:
    app, data = fresh
    run = _new_run(app, YESTERDAY + dt.timedelta(days=1))
    ana, wang = client(app, "ana"), client(app, "wang")
    answer = ana.post(f"/api/v1/runs/{run}/changes", json={"customer": data.mine, "grade": "VIP", "why": "战略合作"})
    assert answer.status_code == 200, answer.text
    changed = wang.get(f"/api/v1/runs/{run}/review", params={"move": "changed"}).json()["rows"]
    assert [(r["customer_id"], r["changed_to"], r["changed_by"]) for r in changed] == [(data.mine, "VIP", "ana")]
    assert client(app, "ana").post(f"/api/v1/runs/{run}/publish").status_code == 403, "analysts do not publish"
    published = wang.post(f"/api/v1/runs/{run}/publish", json={"confirm": True})
    assert published.status_code == 200, published.text
    assert published.json()["states"]["reviewed"] == 1
    card = wang.get(f"/api/v1/customers/{data.mine}").json()["grades"][0]
    assert (card["grade"], card["state"]) == ("VIP", "reviewed")
    assert card["why"] == "复评调整为 VIP：战略合作"
    en = TestClient(app, cookies={"tierwise_lang": "en"})
    en.post("/api/v1/login", json={"name": "wang", "password": PASSWORD})
    assert "Changed at review to VIP: 战略合作" in en.get(f"/customers/{data.mine}").text
    actions = [r["action"] for r in wang.get("/api/v1/audit", params={"size": 50}).json()["rows"]]
    assert actions.index("publish") < actions.index("review-change") < actions.index("run")
    late = wang.post(f"/api/v1/runs/{run}/changes", json={"customer": data.mine, "grade": "C", "why": "晚了"})
    assert late.status_code == 400
    assert "already published" in late.json()["detail"]
    assert run not in [r["id"] for r in wang.get("/api/v1/runs").json()["runs"]]
