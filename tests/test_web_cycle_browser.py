"""The yearly cycle in a real Chromium: forms (初评), run, review meeting (复评), publish, dashboard; a draft simulated.

Each flow saves screenshots under build/test-output/web/ (the README's come from here).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Page, expect
from tests import _browser
from tests._browser import shot, sign_in, sign_out
from tests._webdata import FORMS_STANDARD, STANDARD, WebData

from tierwise.demo import CRITERIA

browser, data, page, site = _browser.browser, _browser.data, _browser.page, _browser.site  # this module's fixtures


def _drawn(page: Page, box: str) -> None:
    """The chart in ``box`` is drawn by ECharts (a canvas with pixels), not just an empty box."""
    expect(page.locator(f"{box}[data-drawn=true] canvas").first).to_be_visible()
    painted = page.evaluate(
        """(box) => { const c = document.querySelector(box + ' canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }""",
        box,
    )
    assert painted > 1000, f"{box} has {painted} painted pixels"


def test_the_review_meeting_changes_one_grade_with_a_reason_and_publishes(page: Page, site: str, data: WebData) -> None:
    sign_in(page, site, "ana")  # the marketing centre's analyst runs the standard for the new year
    page.goto(site + "/review")
    form = page.locator("#new-run")
    form.locator("select[name=standard]").select_option(STANDARD)
    form.get_by_label("评估日").fill((dt.date.today() - dt.timedelta(days=1)).isoformat())
    form.get_by_role("button", name="开始评估").click()
    page.wait_for_url("**/review/*done=review.done_run**")
    run = page.url.split("/review/")[1].split("?")[0]
    sign_out(page)

    sign_in(page, site, "wang")  # the meeting
    page.goto(f"{site}/review/{run}?move=down")
    rows = page.locator("#proposals tbody tr")
    expect(rows.first).to_be_visible()
    assert rows.count() == int(page.locator("a[data-move=down]").inner_text().split()[-1])
    first = rows.first
    customer = first.get_attribute("data-customer")
    kept = first.locator("td.grade").first.inner_text()
    first.locator("summary", has_text="调整").click()
    change = first.locator("form[data-action=change]")
    change.get_by_label("等级").select_option(kept)
    change.get_by_role("button", name="提交").click()  # no reason: the browser refuses, nothing is sent
    expect(page.locator(".flash")).to_have_count(0)
    change.get_by_label("调整理由（必填）").fill("新签三年框架协议，保留原等级")
    change.get_by_role("button", name="提交").click()
    page.wait_for_url("**done=review.done_change**")
    page.goto(f"{site}/review/{run}?move=changed")
    changed = page.locator("#proposals tbody tr")
    expect(changed).to_have_count(1)
    expect(changed.first).to_contain_text("新签三年框架协议")
    expect(changed.first).to_contain_text("复评调整")
    shot(page, "10-review-meeting")
    page.goto(f"{site}/review/{run}")
    shot(page, "11-review-page")
    expect(page.locator("#impact")).to_contain_text("发布的影响")
    page.get_by_role("button", name="发布本次评估").click()  # not confirmed: the browser refuses, nothing is sent
    expect(page.locator(".flash")).to_have_count(0)
    page.get_by_label("我已查看上面的影响，确认发布").check()
    page.get_by_role("button", name="发布本次评估").click()
    page.wait_for_url("**/dashboard?standard=*done=review.done_publish**")
    expect(page.locator(".flash")).to_contain_text(f"#{run}")
    _drawn(page, "#chart-distribution")
    _drawn(page, "#chart-sankey")
    _drawn(page, "#chart-lorenz")
    _drawn(page, "#chart-regions")
    shot(page, "12-dashboard-after-publish")
    page.goto(f"{site}/customers/{customer}")
    card = page.locator("article.standard").first
    expect(card.locator(".grade").first).to_have_text(kept)
    expect(card).to_contain_text("新签三年框架协议")
    page.goto(site + "/audit")
    expect(page.locator("table.grid")).to_contain_text("复评调整等级")
    expect(page.locator("table.grid")).to_contain_text("发布等级")


def test_an_account_manager_sees_the_dashboard_of_their_region_only(page: Page, site: str, data: WebData) -> None:
    sign_in(page, site, "li")
    _drawn(page, "#chart-distribution")
    graded = int(page.locator(".tile strong").first.inner_text().replace(",", ""))
    assert 0 < graded <= data.in_region
    regions = page.locator("#chart-regions + script").inner_text()
    assert data.region.encode("unicode_escape").decode() in regions or data.region in regions
    shot(page, "13-dashboard-one-region")


def test_a_draft_is_checked_on_save_and_simulated_against_the_published_grades(
    page: Page, site: str, data: WebData
) -> None:
    sign_in(page, site, "ana")
    page.goto(f"{site}/standards/{STANDARD}")
    editor = page.locator("#draft-form textarea")
    text = editor.input_value()
    assert "200万" in text
    editor.fill(text.replace("grades:", "gradez:", 1))
    page.get_by_role("button", name="保存并检查").click()
    page.wait_for_url("**done=standard.done_saved**")
    problems = page.locator("#problems")
    expect(problems).to_contain_text("Unknown key 'gradez'")
    expect(problems).to_contain_text("The standard needs 'grades'")  # every problem at once, each with its line
    expect(page.locator("#simulate")).to_have_count(0)
    shot(page, "14-draft-problems")
    page.locator("#draft-form textarea").fill(text.replace("200万", "100万"))
    page.get_by_role("button", name="保存并检查").click()
    page.wait_for_url("**done=standard.done_saved**")
    expect(page.locator("#draft-ok")).to_be_visible()
    page.locator("#simulate").click()
    page.wait_for_url("**/simulate")
    matrix = page.locator("#matrix")
    expect(matrix).to_be_visible()
    expect(matrix.locator("td.moved").first).to_be_visible()
    expect(page.locator("#moved")).to_contain_text("变动客户")
    _drawn(page, "#chart-sankey")
    _drawn(page, "#chart-matrix")
    shot(page, "15-draft-simulated")


def test_a_sales_head_submits_assessment_forms_for_his_region(page: Page, site: str, data: WebData) -> None:
    sign_in(page, site, "li")
    page.goto(site + "/forms")
    rows = page.locator("#forms tbody tr")
    expect(rows.first).to_be_visible()
    assert set(page.locator("#forms tbody tr td:nth-child(3)").all_inner_texts()) == {data.region}
    customer = rows.first.get_attribute("data-customer")
    shot(page, "16-forms-of-my-region")
    rows.first.get_by_role("link", name="填写").click()
    page.wait_for_url(f"**/forms/{FORMS_STANDARD}/{customer}")
    form = page.locator("#assessment")
    for index, criterion in enumerate(CRITERIA):
        form.locator(f"input[name='rating.{criterion}'][value='{'好' if index % 2 else '较好'}']").check()
    form.get_by_label("评估意见").fill("年度走访，合作稳定")
    form.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**done=forms.done_saved**")
    expect(page.locator("#form-status")).to_contain_text("草稿")
    expect(page.locator(f"#assessment input[name='rating.{CRITERIA[1]}'][value='好']")).to_be_checked()
    page.locator("#assessment").get_by_role("button", name="提交").click()
    page.wait_for_url("**done=forms.done_submitted**")
    expect(page.locator("#form-status")).to_contain_text("已提交")
    expect(page.locator("#assessment button")).to_have_count(0)
    shot(page, "17-form-submitted")
    page.goto(site + "/forms?status=submitted")
    expect(page.locator(f"#forms tbody tr[data-customer='{customer}']")).to_contain_text("已提交")


def test_an_upload_with_one_bad_row_shows_the_report_and_lands_nothing(
    page: Page, site: str, data: WebData, tmp_path: Path
) -> None:
    ids = [data.mine, data.formula]  # (the workspace is the server's while it runs)
    export = tmp_path / "三月销售.csv"
    export.write_bytes(
        f"客户编号,交易日期,金额\r\n{ids[0]},2026年3月5日,12.3万\r\n{ids[1]},2026-03-06,一百\r\n".encode("gbk")
    )
    sign_in(page, site, "ana")
    page.goto(site + "/imports")
    form = page.locator("#upload")
    form.locator("select[name=table]").select_option("transactions")
    form.locator("select[name=mode]").select_option("append")
    form.locator("input[type=file]").set_input_files(str(export))
    form.get_by_role("button", name="预览").click()
    page.wait_for_url("**/imports/*done=imports.done_upload**")
    expect(page.locator("#summary")).to_contain_text("共 2 行数据，其中 1 行有错误")
    expect(page.locator("#mapping")).to_contain_text("customer_id")
    expect(page.locator("#problems tbody tr")).to_have_count(1)
    expect(page.locator("#problems")).to_contain_text("一百")
    expect(page.locator("#first")).to_contain_text("123,000")
    with page.expect_download() as download:
        page.locator("#report").click()
    assert "一百" in Path(download.value.path()).read_bytes().decode("utf-8-sig")
    shot(page, "18-upload-bad-row")
    page.get_by_role("button", name="导入").click()
    error = page.locator("#do-import [data-error]")
    expect(error).to_be_visible()
    expect(error).to_contain_text("未导入任何数据")
    shot(page, "19-upload-refused")
    page.goto(site + "/audit")
    expect(page.locator("table.grid")).to_contain_text("导入被拒")
