"""Every path and query parameter is parsed into its type and range: odd input answers 4xx with a sentence, never 5xx.

And the answers name nothing the user may not see: no server path in a refusal or in the
audit log. The last test fuzzes every route of the app from its route table.
"""

from __future__ import annotations

import datetime as dt
import html
import random
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests._routefuzz import NOT_SIGNED_IN_ONLY, call, known_values, routes, send, verdict
from tests._webdata import FORMS_STANDARD, PASSWORD, STANDARD, WebData, build

import tierwise.lifecycle as lc
import tierwise.workspace as tw
from tierwise.web import create_app
from tierwise.web._params import attachment

HUGE = (str(2**63 - 1), str(10**23))
LISTS = ("/customers", "/api/v1/customers", "/audit", "/api/v1/audit")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    return build(tmp_path_factory.mktemp("params") / "ws", slashed=True)


@pytest.fixture(scope="module")
def app(data: WebData) -> Iterator[Any]:
    made = create_app(data.root)
    with TestClient(made):
        yield made


def client(app: Any, name: str | None = None, lang: str = "zh") -> TestClient:
    made = TestClient(app, raise_server_exceptions=False, cookies={"tierwise_lang": lang})
    if name is not None:
        assert made.post("/api/v1/login", json={"name": name, "password": PASSWORD}).status_code == 200
    return made


def _run_id(data: WebData) -> int:
    return max(r.id for r in tw.list_runs(tw.Workspace(data.root)))


def _detail(answer: Any) -> str:
    if answer.headers["content-type"].startswith("application/json"):
        return str(answer.json()["detail"])
    return html.unescape(answer.text)


# -- huge numbers, far days, control characters ---------------------------------------------------------------------


@pytest.mark.parametrize("page", HUGE)
@pytest.mark.parametrize("path", LISTS)
def test_a_huge_page_number_is_refused_with_a_sentence(app: Any, path: str, page: str) -> None:
    for lang, words in (("zh", "请求无效：'page': 不能大于 10,000,000"), ("en", "'page': must be at most 10,000,000")):
        answer = client(app, "wang", lang).get(path, params={"page": page})
        assert answer.status_code == 422, answer.text[:300]
        assert words in _detail(answer)


def test_a_far_day_in_the_audit_filter_is_refused_with_a_sentence(app: Any) -> None:
    for path in ("/audit", "/api/v1/audit"):
        for name in ("until", "since"):
            answer = client(app, "wang", "en").get(path, params={name: "9999-12-31"})
            assert answer.status_code == 422, answer.text[:300]
            assert f"'{name}': must be at most 2999-12-31" in _detail(answer)


@pytest.mark.parametrize("value", ["\x00", "x\r\nSet-Cookie: a=1", "\n"])
def test_control_characters_in_the_csv_filter_are_refused_not_a_dropped_connection(app: Any, value: str) -> None:
    answer = client(app, "wang", "en").get("/customers.csv", params={"standard": value})
    assert answer.status_code == 422
    assert "'standard': must not contain control characters" in _detail(answer)
    assert verdict(answer) is None


def test_a_far_day_in_a_request_body_is_refused_with_a_sentence(app: Any, data: WebData) -> None:
    body = {"standard": STANDARD, "grade": "VIP", "until": "9999-12-31", "why": "long"}
    answer = client(app, "wang", "en").post(f"/api/v1/customers/{data.mine}/override", json=body)
    assert answer.status_code == 400
    assert "'until': must be at most 2999-12-31" in answer.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/runs/{n}/review", "/review/{n}", "/api/v1/customers/C1/explain/{n}"])
def test_a_number_in_a_path_beyond_the_stores_range_is_refused(app: Any, path: str) -> None:
    for n in (str(2**63), str(10**23), "0", "-1"):
        answer = client(app, "wang", "en").get(path.format(n=n))
        assert answer.status_code == 422, (n, answer.text[:300])
        assert "'run_id': must be" in _detail(answer)


# -- file names of downloads ------------------------------------------------------------------------------------------


_DISPOSITION = re.compile(r"attachment; filename=\"([ !#-:<-\[\]-~]*)\"; filename\*=UTF-8''([A-Za-z0-9%._~-]*)")


def _download_name(header: str) -> tuple[str, str]:
    """The ASCII fallback and the UTF-8 name of a Content-Disposition, which must be exactly these two (RFC 6266)."""
    found = _DISPOSITION.fullmatch(header)
    assert found, header
    return found[1], unquote(found[2])


@pytest.mark.parametrize("name", ['vip"; filename="evil.exe', "客户\\分级;.csv", "a\r\nb.csv"])
def test_a_download_name_with_a_quote_stays_one_file_name(name: str) -> None:
    fallback, full = _download_name(attachment(name))
    assert full == name.replace("\r", "").replace("\n", "")
    assert len(fallback) == len(full)


def test_a_standard_id_with_a_quote_cannot_break_out_of_the_csv_file_name(app: Any) -> None:
    answer = client(app, "wang").get("/customers.csv", params={"standard": 'vip"; filename="evil.exe'})
    assert answer.status_code == 200
    _, full = _download_name(answer.headers["content-disposition"])
    assert full == f'customers-vip"; filename="evil.exe-{dt.date.today()}.csv'


# -- ids with '/' -----------------------------------------------------------------------------------------------------


def test_a_customer_id_with_a_slash_is_opened_explained_and_overridden_by_url(app: Any, data: WebData) -> None:
    assert "/" in data.slashed
    li, wang = client(app, "li", "en"), client(app, "wang", "en")
    page = li.get(f"/customers/{data.slashed}")
    assert page.status_code == 200, page.text[:300]
    assert li.get(f"/api/v1/customers/{data.slashed}").json()["customer_id"] == data.slashed
    run = _run_id(data)
    explained = li.get(f"/api/v1/customers/{data.slashed}/explain/{run}")
    assert explained.status_code == 200, explained.text[:300]
    assert explained.json()["customer_id"] == data.slashed
    assert li.get(f"/customers/{data.slashed}/explain/{run}").status_code == 200
    body = {"standard": STANDARD, "grade": "VIP", "until": "2027-12-31", "why": "分行客户"}
    asked = li.post(f"/api/v1/customers/{data.slashed}/override", json=body, headers={"HX-Request": "true"})
    assert asked.status_code == 200, asked.text[:300]
    assert asked.headers["HX-Redirect"].startswith(f"/customers/{data.slashed}?done=")
    pending = wang.get("/api/v1/requests", params={"customer": data.slashed}).json()["rows"]
    assert [r["customer_id"] for r in pending] == [data.slashed]
    assert li.get(f"/api/v1/forms/{FORMS_STANDARD}/{data.slashed}").json()["customer_id"] == data.slashed
    listed = li.get("/customers", params={"q": data.slashed}).text
    assert f'href="/customers/{data.slashed}"' in listed


def test_explaining_a_customer_the_run_did_not_grade_is_404_with_a_sentence(app: Any, data: WebData) -> None:
    outside = tw.Workspace(data.root).records(
        "SELECT customer_id FROM data.customers WHERE type = 'individual' ORDER BY customer_id LIMIT 1"
    )[0]["customer_id"]  # the standard's population leaves individuals out
    run = _run_id(data)
    for path in (f"/api/v1/customers/{outside}/explain/{run}", f"/customers/{outside}/explain/{run}"):
        answer = client(app, "wang", "en").get(path)
        assert answer.status_code == 404, answer.text[:300]
        assert f"Run {run} did not grade customer '{outside}'" in _detail(answer)


def test_a_request_about_another_regions_customer_is_answered_like_a_missing_request(app: Any, data: WebData) -> None:
    tw.add_user(tw.Workspace(data.root), "mgr-east", "manager", regions=(data.region,), password=PASSWORD)
    body = {"standard": STANDARD, "grade": "VIP", "until": "2027-12-31", "why": "区域外"}
    number = client(app, "wang").post(f"/api/v1/customers/{data.other}/override", json=body).json()["request"]
    east = client(app, "mgr-east", "en")
    refused = east.post(f"/api/v1/requests/{number}/approve", json={})
    assert refused.status_code == 404
    assert refused.json()["detail"] == f"There is no request {number}; 'tierwise requests' lists them."
    assert data.other not in refused.text
    # decided by a manager who may see it, it is still missing for another region (not "already rejected")
    tw.add_user(tw.Workspace(data.root), "mgr-all", "manager", password=PASSWORD)
    lc.decide_request(tw.Workspace(data.root).acting("mgr-all"), number, approve=False, why="不同意")
    again = east.post(f"/api/v1/requests/{number}/approve", json={})
    assert (again.status_code, again.json()) == (404, refused.json())
    seen = client(app, "mgr-all").post(f"/api/v1/requests/{number}/approve", json={})
    assert seen.status_code == 400
    assert seen.json()["detail"] == f"申请 #{number} 的状态为“已驳回”，不能再次审批。"


# -- no server path ---------------------------------------------------------------------------------------------------


def test_a_missing_run_is_named_without_the_server_path(app: Any, data: WebData) -> None:
    for path in (f"/api/v1/customers/{data.mine}/explain/999999", f"/customers/{data.mine}/explain/999999"):
        for lang, words in (("en", "There is no run 999999"), ("zh", "没有第 999999 次评估运行")):
            answer = client(app, "wang", lang).get(path)
            assert answer.status_code == 404
            assert words in _detail(answer)
            assert str(data.root.parent) not in answer.text


def test_the_audit_detail_of_an_import_shows_the_file_name_not_the_server_path(app: Any, data: WebData) -> None:
    rows = client(app, "view").get("/api/v1/audit", params={"action": "import"}).json()["rows"]
    assert rows
    assert {r["detail"]["file"] for r in rows} == {"customers.csv", "transactions.csv", "assessments.csv"}
    page = client(app, "view").get("/audit", params={"action": "import"}).text
    assert str(data.root.parent) not in page
    recorded = tw.Workspace(data.root).records("SELECT file FROM imports")
    assert all("/" not in r["file"] for r in recorded), "stored as the owner's name"


# -- the fuzz ---------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz(app: Any, data: WebData) -> dict[str, Any]:
    known = known_values(data, [str(_run_id(data))], ["1"])
    table = routes(app)
    return {
        "known": known,
        "clients": {
            "manager": (client(app, "wang"), [r for r in table if r.name not in NOT_SIGNED_IN_ONLY]),
            "anonymous": (client(app), table),
        },
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(who=st.sampled_from(["manager", "anonymous"]), rng=st.randoms(use_true_random=False))
def test_no_route_answers_5xx_or_an_unsendable_head_for_any_parameter(
    fuzz: dict[str, Any], who: str, rng: random.Random
) -> None:
    made, table = fuzz["clients"][who]
    request = call(rng, rng.choice(table), fuzz["known"])
    wrong = verdict(send(made, request))
    assert wrong is None, f"{who} {request}: {wrong}"
