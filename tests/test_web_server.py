"""The server stays up for everybody: a real uvicorn server on loopback (in a thread of this process).

Heavy work and password checks run off the event loop, so one user's slow request never stops
another's answer; uploads are bounded before any parsing; heavy work over its time limit is
answered with a sentence; the sign-in throttle cannot be dodged by spelling a name in full
width or by rotating ``X-Forwarded-For``; the reports answer after the data ends. Waiting is made certain, not timed: the test holds
the workspace's write lock (as a long import would), so a request that needs it waits until
the test lets go, and the test checks what else is answered meanwhile.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import io
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx2 as httpx
import pytest
import python_calamine
import uvicorn
from fastapi.testclient import TestClient
from tests._webdata import PASSWORD, STANDARD, WebData, build

import tierwise
import tierwise.lifecycle as lc
import tierwise.reports as reports
import tierwise.workspace as tw
from tierwise._messages import message
from tierwise.web import create_app
from tierwise.web._session import NAME_FAILURES, THROTTLE_FAILURES
from tierwise.web._upload import MAX_CELL, MAX_COLUMNS, MAX_LINE

SETTLE = 0.5  # seconds a request is given to reach what it waits for (a pause, never an assertion)


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> WebData:
    return build(tmp_path_factory.mktemp("server") / "ws", customers=60)


@pytest.fixture(scope="module")
def app(data: WebData) -> Any:
    return create_app(data.root, trusted_proxies=["127.0.0.1"], animate=False)


@pytest.fixture(scope="module")
def site(app: Any) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive(), "the server stopped"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def signed_in(site: str, name: str) -> httpx.Client:
    made = httpx.Client(base_url=site, timeout=30)
    answer = made.post("/api/v1/login", json={"name": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return made


@contextlib.contextmanager
def workspace_held(data: WebData) -> Iterator[None]:
    """Hold the workspace's write lock, as a long write of another user would."""
    with tw.Workspace(data.root).writing():
        yield


def in_background(work: Any) -> tuple[threading.Thread, list[Any]]:
    answers: list[Any] = []
    thread = threading.Thread(target=lambda: answers.append(work()), daemon=True)
    thread.start()
    return thread, answers


def test_other_users_are_answered_while_a_sign_in_waits(site: str, data: WebData) -> None:
    viewer = signed_in(site, "view")
    with workspace_held(data):
        waiting, signed = in_background(
            lambda: httpx.post(site + "/api/v1/login", json={"name": "fin", "password": PASSWORD}, timeout=60)
        )
        time.sleep(SETTLE)
        me = viewer.get("/api/v1/me", timeout=8)
        assert me.status_code == 200
        assert me.json()["name"] == "view"
        assert waiting.is_alive(), "the sign-in was still waiting while the other user was answered"
    waiting.join(timeout=60)
    assert signed[0].status_code == 200, signed[0].text


def test_signed_in_users_are_answered_while_sign_ins_run(site: str) -> None:
    viewer = signed_in(site, "view")
    running = threading.Event()

    def sign_ins() -> list[int]:
        with httpx.Client(base_url=site, timeout=60) as made:
            running.set()
            return [
                made.post("/api/v1/login", json={"name": "ana", "password": PASSWORD}).status_code for _ in range(2)
            ]

    threads = [in_background(sign_ins) for _ in range(2)]
    running.wait(timeout=10)
    answered = []
    while any(t.is_alive() for t, _ in threads):
        answered.append(viewer.get("/api/v1/me").status_code)
    for t, _ in threads:
        t.join(timeout=60)
    assert answered, "the other user was answered while sign-ins ran"
    assert set(answered) == {200}
    assert [code for _, out in threads for code in out[0]] == [200] * 4


def test_a_draft_check_and_save_do_not_stop_others_being_answered(site: str, data: WebData) -> None:
    ana = signed_in(site, "ana")
    text = tierwise.builtin_path(STANDARD).read_text(encoding="utf-8")
    with workspace_held(data):
        waiting, saved = in_background(lambda: ana.post(f"/api/v1/standards/{STANDARD}/draft", json={"text": text}))
        time.sleep(SETTLE)
        assert httpx.get(site + "/login", timeout=8).status_code == 200
        assert waiting.is_alive(), "the draft was still waiting for the workspace while /login was answered"
    waiting.join(timeout=60)
    assert saved[0].status_code == 200, saved[0].text
    assert saved[0].json()["problems"] == []


def _upload(made: httpx.Client, content: bytes, name: str = "wide.csv") -> httpx.Response:
    return made.post(
        "/api/v1/imports/upload",
        data={"table": "sales_wide", "mode": "replace"},
        files={"file": (name, content, "text/csv")},
    )


@pytest.mark.parametrize(
    ("content", "line", "key"),
    [
        (b"id," + b",".join(b"c%d" % i for i in range(MAX_COLUMNS + 5)) + b"\n1,2\n", 1, "imports.too_many_columns"),
        (b"id,name\n1,a\n2," + b"x" * (MAX_CELL + 10) + b"\n", 3, "imports.cell_too_long"),
        (
            b"id,name\n" + b",".join([b"x" * (MAX_CELL - 1)] * (MAX_LINE // MAX_CELL + 2)) + b"\n",
            2,
            "imports.line_too_long",
        ),
    ],
    ids=["columns", "cell", "line"],
)
def test_an_upload_past_the_bounds_is_refused_with_its_line_before_it_is_read(
    site: str, data: WebData, content: bytes, line: int, key: str
) -> None:
    ana = signed_in(site, "ana")
    before = set((data.root / "uploads").glob("*")) if (data.root / "uploads").exists() else set()
    answer = _upload(ana, content)
    assert answer.status_code == 400, answer.text
    limit = {"imports.too_many_columns": MAX_COLUMNS, "imports.cell_too_long": MAX_CELL}.get(key, MAX_LINE)
    assert answer.json()["detail"] == message(key, "zh", file="wide.csv", line=f"{line:,}", limit=f"{limit:,}")
    assert set((data.root / "uploads").glob("*")) == before, "a refused upload is not kept"


def test_heavy_work_over_its_time_limit_is_answered_with_a_sentence(site: str, app: Any, data: WebData) -> None:
    ana = signed_in(site, "ana")
    text = tierwise.builtin_path(STANDARD).read_text(encoding="utf-8")
    assert ana.post(f"/api/v1/standards/{STANDARD}/draft", json={"text": text}).status_code == 200  # to simulate
    text = text.replace("name:", "name: 慢 ", 1)
    from tierwise.web import _worker

    busy = threading.Event()  # every worker is taken, so the work waits past its limit however fast it is
    blockers = [_worker._POOL.submit(busy.wait) for _ in range(_worker.HEAVY)]
    app.state.work_seconds = 0.2
    try:
        preview = _upload(ana, b"customer_id,amount\nK1,5\n")
        draft = ana.post(f"/api/v1/standards/{STANDARD}/draft", json={"text": text})
        simulation = ana.get(f"/api/v1/standards/{STANDARD}/simulate")
    finally:
        app.state.work_seconds = 30.0
        busy.set()
        for blocker in blockers:
            blocker.result(timeout=60)
    for answer, key in ((preview, "work.slow_preview"), (draft, "work.slow_check"), (simulation, "work.slow_simulate")):
        assert answer.status_code == 503, answer.text
        assert answer.json()["detail"] == message(key, "zh", seconds="0.2")
    saved = tw.get_draft(tw.Workspace(data.root), STANDARD)
    assert saved is None or saved.text != text, "a draft whose check ran out of time is not saved"


def test_a_full_width_or_upper_case_name_spends_the_same_sign_in_budget(app: Any) -> None:
    made = TestClient(app, client=("10.3.3.3", 1))
    for spelling in ["ｗａｎｇ", "WANG", "Ｗａｎｇ", "wang", "ＷＡＮＧ"][:THROTTLE_FAILURES]:
        assert made.post("/api/v1/login", json={"name": spelling, "password": "wrong-pass"}).status_code == 401
    assert made.post("/api/v1/login", json={"name": "wang", "password": PASSWORD}).status_code == 429


def test_rotating_x_forwarded_for_through_a_trusted_proxy_is_still_throttled_by_name(site: str) -> None:
    codes = []
    with httpx.Client(base_url=site, timeout=30) as proxy:  # loopback: the trusted proxy of this server
        for i in range(NAME_FAILURES + 1):
            forwarded = {"x-forwarded-for": f"198.51.100.{i + 1}"}
            answer = proxy.post("/api/v1/login", json={"name": "zhou", "password": "wrong-pass"}, headers=forwarded)
            codes.append(answer.status_code)
    assert codes == [401] * NAME_FAILURES + [429]


def test_x_forwarded_for_from_a_peer_that_is_not_a_trusted_proxy_is_ignored(app: Any) -> None:
    made = TestClient(app, client=("10.4.4.4", 1))
    for i in range(THROTTLE_FAILURES):
        forwarded = {"x-forwarded-for": f"203.0.113.{i + 1}"}
        answer = made.post("/api/v1/login", json={"name": "li", "password": "wrong-pass"}, headers=forwarded)
        assert answer.status_code == 401
    again = made.post(
        "/api/v1/login", json={"name": "li", "password": PASSWORD}, headers={"x-forwarded-for": "1.2.3.4"}
    )
    assert again.status_code == 429, "the peer's own address kept its count, whatever it forwarded"


def test_a_user_is_found_by_any_width_and_case_folding_of_the_name(site: str, data: WebData) -> None:
    admin = signed_in(site, "web-admin")
    assert (
        admin.post("/api/v1/users", json={"name": "Straße", "role": "viewer", "password": PASSWORD}).status_code == 200
    )
    for spelling in ("STRASSE", "ｓｔｒａｓｓｅ", "straße"):
        answer = httpx.post(site + "/api/v1/login", json={"name": spelling, "password": PASSWORD})
        assert answer.status_code == 200, (spelling, answer.text)
        assert answer.json()["name"] == "Straße"
    taken = admin.post("/api/v1/users", json={"name": "strasse", "role": "viewer", "password": PASSWORD})
    assert taken.status_code == 400, "one user per folded name"
    assert "Straße" in taken.json()["detail"]


def test_a_trusted_proxy_that_is_not_an_address_is_refused_with_a_sentence(data: WebData) -> None:
    with pytest.raises(ValueError, match=r"'proxy\.example' is not an IP address or a network"):
        create_app(data.root, trusted_proxies=["proxy.example"])


def test_reports_after_the_data_ends_render_and_say_when_the_effect_becomes_measurable(
    site: str, data: WebData
) -> None:
    ws = tw.Workspace(data.root).as_user("wang", PASSWORD)
    last = ws.records("SELECT max(date) AS last FROM data.transactions")[0]["last"]
    first, second = last + dt.timedelta(days=30), last + dt.timedelta(days=61)
    for day in (first, second):  # two publications after the last transaction: the earlier has no "after" yet
        lc.publish(ws, tw.run_standard(ws, tierwise.builtin_path(STANDARD), day).id)
    viewer = signed_in(site, "view")
    query = {"standard": STANDARD, "as_of": second.isoformat()}
    when = {"day": str(first), "last": str(last), "end": str(first.replace(year=first.year + 1)), "months": 12}
    for lang in ("zh", "en"):
        viewer.cookies.set("tierwise_lang", lang)
        page = viewer.get("/reports", params=query)
        assert page.status_code == 200, page.text
        assert message("reports.effect_pending", lang, **when) in html.unescape(page.text)
        book = viewer.get("/reports.xlsx", params=query)
        assert book.status_code == 200, book.text
        sheets = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(book.content))
        effect = sheets.get_sheet_by_name(reports.label("sheet.effect", lang)[:31]).to_python()
        assert effect[1][0] == message("reports.effect_pending", lang, **when)
    pdf = viewer.get("/reports.pdf", params=query)
    assert pdf.status_code == 200, pdf.text
    assert pdf.content.startswith(b"%PDF")
