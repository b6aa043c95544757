"""The web app in a real Chromium (Debian's, driven by Playwright) against `tierwise serve` in a subprocess.

Screenshots of every flow are saved under build/test-output/web/ (TIERWISE_SCREENSHOTS to choose).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from tests import _browser
from tests._browser import shot, sign_in, sign_out, start, wait
from tests._webdata import WebData, build

browser, data, page, site = _browser.browser, _browser.data, _browser.page, _browser.site  # this module's fixtures


def test_login_shows_only_the_customers_of_my_region(page: Page, site: str, data: WebData) -> None:
    page.goto(site + "/customers")
    page.wait_for_url("**/login?next=%2Fcustomers")
    sign_in(page, site, "li")
    page.goto(site + "/customers")
    expect(page.locator(".who")).to_contain_text("li")
    regions = page.locator("table.grid tbody tr td:nth-child(3)").all_inner_texts()
    assert regions
    assert set(regions) == {data.region}
    page.get_by_placeholder("按客户编号或名称搜索").fill(data.formula)
    expect(page.locator("table.grid tbody tr")).to_have_count(1)
    assert shot(page, "01-login-customers").stat().st_size > 10_000


def test_an_override_requested_by_an_account_manager_is_approved_by_a_manager(
    page: Page, site: str, data: WebData
) -> None:
    sign_in(page, site, "li")
    page.goto(f"{site}/customers/{data.mine}")
    page.locator("summary", has_text="申请特批").first.click()
    form = page.locator("form[data-action=override]")
    form.get_by_label("等级").select_option("VIP")
    form.get_by_label("有效期至").fill((dt.date.today() + dt.timedelta(days=90)).isoformat())
    form.get_by_label("理由").fill("战略客户，签订年度框架协议")
    form.get_by_role("button", name="提交").click()
    page.wait_for_url("**done=action.done_override**")
    flash = page.locator(".flash").inner_text()
    number = flash.split("#")[1].split(" ")[0]
    shot(page, "02-override-requested")
    sign_out(page)

    sign_in(page, site, "wang")
    page.goto(site + "/requests?status=pending")
    row = page.locator(f"#request-{number}")
    expect(row).to_contain_text("战略客户")
    row.get_by_label("审批意见（驳回时必填）").fill("同意，按框架协议执行")
    row.get_by_role("button", name="批准").click()
    page.wait_for_url("**done=requests.done_approved**")
    expect(page.locator(".flash")).to_contain_text(f"#{number}")
    shot(page, "03-override-approved")
    page.goto(f"{site}/customers/{data.mine}")
    card = page.locator("article.standard").first
    expect(card.locator(".grade").first).to_have_text("VIP")
    expect(card.locator(".state").first).to_have_text("特批")
    shot(page, "04-customer-after-override")


def test_a_manager_cannot_approve_their_own_request(page: Page, site: str, data: WebData) -> None:
    sign_in(page, site, "zhou")
    page.goto(f"{site}/customers/{data.formula}")
    page.locator("summary", has_text="申请特批").first.click()
    form = page.locator("form[data-action=override]")
    form.get_by_label("有效期至").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
    form.get_by_label("理由").fill("临时支持")
    form.get_by_role("button", name="提交").click()
    page.wait_for_url("**done=action.done_override**")
    number = page.locator(".flash").inner_text().split("#")[1].split(" ")[0]
    page.goto(site + "/requests?status=pending")
    row = page.locator(f"#request-{number}")
    row.get_by_role("button", name="批准").click()
    error = row.locator("[data-error]")
    expect(error).to_be_visible()
    expect(error).to_contain_text("a different user")
    expect(row).to_contain_text("待审批")
    shot(page, "05-own-request-refused")


def test_the_customer_page_shows_history_explanation_and_entitlements(page: Page, site: str, data: WebData) -> None:
    sign_in(page, site, "wang")
    page.goto(f"{site}/customers/{data.other}")
    expect(page.locator("#history ol.timeline li").first).to_be_visible()
    entitlements = page.locator("dl.entitlements").first
    expect(entitlements).to_contain_text("客户经理")
    expect(entitlements).to_contain_text("拜访频率")
    page.get_by_role("button", name="查看评级过程").first.click()
    explanation = page.locator("pre.explanation").first
    expect(explanation).to_contain_text("评级过程")
    expect(explanation).to_contain_text("sales_12m")
    shot(page, "06-customer-page")
    page.get_by_role("link", name="English").click()
    expect(page.locator("#history h2")).to_have_text("Grade history")
    shot(page, "07-customer-page-en")


def test_an_account_manager_cannot_open_another_regions_customer(page: Page, site: str, data: WebData) -> None:
    sign_in(page, site, "li")
    answer = page.goto(f"{site}/customers/{data.other}")
    assert answer is not None
    assert answer.status == 404  # answered like an id that does not exist: no existence or location oracle
    expect(page.locator(".error")).to_contain_text("不是您可以查看的客户")
    assert data.region not in page.locator(".error").inner_text()
    assert "alert(1)" not in page.content()
    shot(page, "08-other-region-refused")


def test_serving_on_every_interface_prints_the_https_warning(data: Any, tmp_path: Path) -> None:
    other = build(tmp_path / "ws", customers=30)
    server, port = start(other.root, "--host", "0.0.0.0")
    try:
        wait(server, f"http://127.0.0.1:{port}/login")
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "reachable from other machines" in err
    assert "HTTPS" in err
    assert "reverse proxy" in err


def test_the_dashboard_and_its_tooltips_cause_no_content_security_policy_violation(page: Page, site: str) -> None:
    page.add_init_script(
        "window.refused = []; document.addEventListener('securitypolicyviolation', "
        "(e) => window.refused.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    console: list[str] = []
    page.on("console", lambda line: console.append(line.text) if "Content Security Policy" in line.text else None)
    sign_in(page, site, "wang")
    boxes = page.locator("[data-drawn]")
    expect(boxes).to_have_count(page.locator("script[data-chart]").count())
    page.evaluate(
        "window.tips = 0; document.querySelectorAll('[data-drawn]').forEach("
        "(box) => echarts.getInstanceByDom(box).on('showtip', () => { window.tips += 1; }));"
    )
    for i in range(boxes.count()):
        box = boxes.nth(i)
        size = box.bounding_box()
        assert size is not None
        for step in range(1, 6):
            box.hover(position={"x": size["width"] * step / 6, "y": size["height"] / 2})
            page.wait_for_timeout(50)
    assert page.evaluate("window.tips") > 0, "tooltips were shown"
    assert page.evaluate("window.refused") == []
    assert console == []
    shot(page, "csp-dashboard-tooltips")
