"""The staff web console in real headless Chromium (Python Playwright) against the live app.

Screenshots land in test-artifacts/console/. Without /usr/bin/chromium these tests skip loudly
(`make browser` installs it), and fail when CI=true.
"""
import csv
import io
import os
import sys
import time
import warnings
from pathlib import Path

import pytest
from openpyxl import load_workbook

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "console"
TEAM_SY = "松阳社区党员志愿服务队"


def _require_chromium() -> None:
    if os.path.exists(CHROMIUM):
        return
    message = f"!!! {CHROMIUM} is missing: the console's browser tests are SKIPPED — run `make browser` !!!"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    sys.stderr.write("\n" + message + "\n")
    warnings.warn(message, stacklevel=2)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh office-PC-sized tab; JavaScript errors and failed requests to other hosts fail the test."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1366, "height": 860}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("request", lambda req: problems.append(f"outside request: {req.url}")
            if not req.url.startswith((live_server, "data:", "blob:")) else None)
    page.problems = problems
    yield page
    page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-last.png"), full_page=True)
    context.close()
    assert not problems, problems


def until(page, expression: str, timeout: float = 15) -> None:
    """Poll a JavaScript expression from Python (wait_for_function's polling needs eval, which the CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        page.wait_for_timeout(100)


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def dev_login(page, live_server, openid: str = "demo-staff-sy", screenshot: str | None = None) -> None:
    page.goto(f"{live_server}/console/")
    page.wait_for_selector("#qr-image[data-ticket]")
    until(page, "document.getElementById('qr-image').naturalWidth > 0")
    if openid in ("demo-staff-sy", "demo-staff-qs", "demo-admin"):
        page.select_option("#dev-account", openid)
    else:
        page.select_option("#dev-account", "")
        page.fill("#dev-openid", openid)
    if screenshot:
        shot(page, screenshot)
    page.click("#dev-submit")


def low_rated_order(demo, stars: int = 2) -> dict:
    order = demo.create_order(description="需要陪同去县医院复查，行动不便")
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    demo.act(order["id"], "accept", "vol1")
    demo.act(order["id"], "complete", "vol1", {"result": "已陪同完成复查"})
    return demo.act(order["id"], "rate", "resident", {"stars": stars, "comment": "志愿者来晚了半小时"})


def test_staff_dispatches_reviews_and_exports(page, live_server, demo, client, tmp_path):
    """Can a staff member log in (dev form), dispatch an order, review a rating and download exports?"""
    waiting = demo.create_order(category="repair", description="家里的洗衣机不转了，请帮忙看看")
    rated = low_rated_order(demo)
    dev_login(page, live_server, screenshot="01-login-dev-form")

    page.wait_for_selector(f"#dispatch-table tr[data-order-id='{waiting['id']}']")
    assert "松阳社区工作人员" in page.inner_text("#who")
    shot(page, "02-dispatch-board")
    row = page.locator(f"#dispatch-table tr[data-order-id='{waiting['id']}']")
    row.locator("select.team-picker").select_option(label=TEAM_SY)
    row.get_by_role("button", name="派单").click()
    page.wait_for_selector(".toast >> text=已将工单")
    order = client.get(f"/api/v1/orders/{waiting['id']}", headers=demo.headers("staff_sy")).get_json()
    assert order["status"] == "dispatched" and order["team_id"] == demo.team_sy

    page.click("a[data-nav=ratings]")
    row = page.locator(f"#ratings-table tr[data-order-id='{rated['id']}']")
    row.wait_for()
    assert "志愿者来晚了半小时" in row.inner_text()
    shot(page, "03-rating-queue")
    row.get_by_placeholder("回访情况").fill("已电话回访，志愿者已致歉，群众表示理解")
    row.get_by_role("button", name="记录回访").click()
    row.locator("text=已回访").wait_for()
    detail = client.get(f"/api/v1/orders/{rated['id']}", headers=demo.headers("staff_sy")).get_json()
    assert detail["rating"]["reviewed_at"] and detail["rating"]["review_note"].startswith("已电话回访")

    page.click("a[data-nav=stats]")
    page.wait_for_selector("#report-text")
    page.wait_for_selector(".card[data-figure=受理量]")
    page.wait_for_selector("svg.day-chart rect", state="attached")
    assert page.inner_text(".card[data-figure=受理量] .value").startswith("2")
    assert "受理群众点单2件" in page.inner_text("#report-text")
    shot(page, "04-dashboard")

    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    download = download_info.value
    assert download.suggested_filename.startswith("社区五单_松阳社区_") and download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "export.xlsx"
    download.save_as(path)
    book = load_workbook(path)
    assert book.sheetnames == ["工单明细", "统计指标"]
    ids = [row[0] for row in book["工单明细"].iter_rows(min_row=2, values_only=True)]
    assert sorted(ids) == sorted([waiting["id"], rated["id"]])

    with page.expect_download() as download_info:
        page.click("#export-csv")
    path = tmp_path / "export.csv"
    download_info.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "工单编号" and len(rows) == 3


def test_qr_login_approved_from_the_mini_program(page, live_server, demo, client):
    """Does the console log in once the mini-program approves the QR ticket it shows?"""
    page.goto(f"{live_server}/console/")
    image = page.wait_for_selector("#qr-image[data-ticket]")
    ticket = image.get_attribute("data-ticket")
    until(page, "document.getElementById('qr-image').naturalWidth > 0")
    shot(page, "05-login-qr")
    svg = client.get(f"/console/qr/{ticket}.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data

    response = client.post(f"/api/v1/auth/console-tickets/{ticket}/approve", json={},
                           headers=demo.headers("staff_sy"))  # what the mini-program does after scanning
    assert response.status_code == 200, response.get_json()
    page.wait_for_selector("#session:not([hidden])")
    assert "松阳社区工作人员" in page.inner_text("#who")
    page.wait_for_selector("#content[data-view=dispatch]")
    assert page.evaluate("sessionStorage.getItem('sqwd.console.token')")
    assert client.get(f"/api/v1/auth/console-tickets/{ticket}").get_json()["status"] == "consumed"
    shot(page, "06-after-qr-login")

    page.click("#logout")
    page.wait_for_selector("#login-view:not([hidden])")
    assert page.evaluate("sessionStorage.getItem('sqwd.console.token')") is None


def test_a_resident_cannot_use_the_console(page, live_server, demo):
    """Is a resident's login refused with a Chinese message, no token kept?"""
    dev_login(page, live_server, "demo-resident-sy-1")
    page.wait_for_selector("#login-error:not([hidden])")
    assert "不是社区工作人员" in page.inner_text("#login-error")
    assert page.evaluate("sessionStorage.getItem('sqwd.console.token')") is None
    page.problems.clear()  # the refused /me check is expected


def test_every_view_draws(page, live_server, demo, client, app):
    """Do the order detail, offering review, teams and dashboard views draw without errors (admin)?"""
    from app.extensions import db
    from app.offerings.models import Offering

    low_rated_order(demo, stars=1)
    order = demo.create_order(description="独居老人需要每周送餐")
    with app.app_context():
        pending = Offering(team_id=demo.team_sy, category_id=1, area_id=demo.sy, title="周末义务理发",
                           description="每周六上午为老人理发", service_times="周六 9:00-11:00", status="pending",
                           created_by_id=demo.user_ids["leader_sy"])
        db.session.add(pending)
        db.session.commit()
        pending_id = pending.id
    dev_login(page, live_server, "demo-admin")
    page.wait_for_selector("#content[data-view=dispatch]")
    page.wait_for_selector(f"#dispatch-table tr[data-order-id='{order['id']}']")

    page.goto(f"{live_server}/console/#/orders/{order['id']}")
    page.wait_for_selector("#timeline li")
    assert "提交工单" in page.inner_text("#timeline")
    shot(page, "07-order-detail")

    page.click("a[data-nav=orders]")
    page.wait_for_selector("#orders-table tbody tr")
    shot(page, "08-order-search")

    page.click("a[data-nav=offerings]")
    row = page.locator(f"#offerings-table tr[data-offering-id='{pending_id}']")
    row.wait_for()
    shot(page, "09-offering-review")
    row.get_by_role("button", name="通过", exact=True).click()
    row.locator("text=已通过").wait_for()
    assert client.get(f"/api/v1/offerings/{pending_id}").get_json()["status"] == "published"

    page.click("a[data-nav=teams]")
    page.wait_for_selector("#teams-table")
    page.click(f"text={TEAM_SY}")
    page.wait_for_selector("#members-table")
    assert "松阳志愿者一" in page.inner_text("#members-table")
    shot(page, "10-team-members")

    page.click("a[data-nav=stats]")
    page.wait_for_selector("#report-text")
    assert "示范县" in page.inner_text("#report-text")
    shot(page, "11-dashboard-county")
