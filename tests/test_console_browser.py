"""The staff web console in real headless Chromium (Python Playwright) against the live app.

Screenshots land in test-artifacts/console/. Without /usr/bin/chromium these tests skip loudly
(`make browser` installs it), and fail when CI=true.
"""
import csv
import io
import os
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.conftest import unavailable

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "console"
TEAM_SY = "松阳社区党员志愿服务队"


def _require_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        unavailable(f"{CHROMIUM} is missing: the console's browser tests are SKIPPED — run `make browser`")


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


def test_dispatch_board_suggests_teams_and_marks_duplicates(page, live_server, demo, client):
    """Does the 派单台 show the server's ranked teams with reasons, dispatch in one click, and mark a likely
    duplicate that staff cancel naming the other order?"""
    first = demo.create_order(description="家里的洗衣机不转了，请帮忙看看", category="repair")
    second = demo.create_order(description="洗衣机坏了，麻烦来修一下", category="repair")
    other = demo.create_order("resident2")
    dev_login(page, live_server)
    row = page.locator(f"#dispatch-table tr[data-order-id='{other['id']}']")
    row.locator("button.suggest").first.wait_for()
    assert row.locator("button.suggest").first.inner_text() == "派给" + TEAM_SY
    assert "本社区" in row.locator(".reasons").first.inner_text()
    dup = page.locator(f"#dispatch-table tr[data-order-id='{second['id']}']")
    dup.locator(".duplicate-mark").wait_for()
    assert f"#{first['id']}" in dup.locator(".duplicate-mark").inner_text()
    shot(page, "02b-dispatch-suggestions")
    row.locator("button.suggest").first.click()
    page.wait_for_selector(f".toast >> text=已将工单 #{other['id']} 派给")
    assert client.get(f"/api/v1/orders/{other['id']}", headers=demo.headers("staff_sy")).get_json()["team_id"] == \
        demo.team_sy
    dup.get_by_role("button", name="作为重复取消").click()
    dup.get_by_role("button", name="确认取消？").click()
    page.wait_for_selector(f".toast >> text=已取消工单 #{second['id']}")
    cancelled = client.get(f"/api/v1/orders/{second['id']}", headers=demo.headers("staff_sy")).get_json()
    assert cancelled["status"] == "cancelled" and cancelled["cancel_reason"] == f"与工单 #{first['id']} 重复"


def test_dispatch_board_redispatches_a_dispatched_order(page, live_server, demo, client, app):
    """Does the 派单台 list orders dispatched and not yet accepted with their team, and 改派 one to another team
    from the server's dispatch_teams (its own team left out), the order's page wording it 改派 too?"""
    order = demo.order_at("dispatched")
    town = client.post("/api/v1/teams", json={"name": "城关镇志愿服务总队", "area_id": demo.town},
                       headers=demo.headers("admin")).get_json()["id"]
    dev_login(page, live_server)
    row = page.locator(f"#redispatch-table tr[data-order-id='{order['id']}']")
    row.wait_for()
    assert row.locator(".current-team").inner_text() == TEAM_SY
    row.get_by_role("button", name="改派").click()
    row.locator("button.suggest").first.wait_for()
    assert [b.inner_text() for b in row.locator("button.suggest").all()] == ["改派给城关镇志愿服务总队"]
    assert TEAM_SY not in row.locator("select.team-picker").inner_text()
    shot(page, "02c-redispatch")
    row.locator("button.suggest").first.click()
    page.wait_for_selector(f".toast >> text=已将工单 #{order['id']} 改派给城关镇志愿服务总队")
    until(page, f"document.querySelector(\"#redispatch-table tr[data-order-id='{order['id']}'] .current-team\")"
                ".textContent === '城关镇志愿服务总队'")
    moved = client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy")).get_json()
    assert (moved["status"], moved["team_id"]) == ("dispatched", town)
    assert [e["action"] for e in moved["events"]] == ["create", "dispatch", "dispatch"]
    page.goto(f"{live_server}/console/#/orders/{order['id']}")
    page.wait_for_selector("#timeline")
    assert "改派" in page.inner_text("#timeline")
    assert "现派给城关镇志愿服务总队" in page.inner_text(".redispatch-note")
    assert page.locator("button.suggest").first.inner_text() == "改派给" + TEAM_SY


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
    # Anyone else who polls (without the page's X-Ticket-Secret) learns nothing, before or after.
    assert client.get(f"/api/v1/auth/console-tickets/{ticket}").status_code == 404
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

    # The console is ES modules sharing nothing through window: every view drawn, it has added no global
    # to those of a page of the same origin without scripts (the page a phone's camera app lands on).
    blank = page.context.new_page()
    blank.goto(f"{live_server}/console/login/abcdef")
    own = "Object.getOwnPropertyNames(window)"
    assert set(page.evaluate(own)) - set(blank.evaluate(own)) == set()
    assert page.evaluate("[...document.scripts].map(s => s.type)") == ["module"]


def test_order_search_pages_and_timeline_labels(page, live_server, demo):
    """Does 工单查询 load 20 orders, then the rest with 加载更多, and does the timeline label every event?"""
    ids = [demo.create_order(description=f"第{n}件需求，请帮忙")["id"] for n in range(23)]
    demo.act(ids[0], "dispatch", "staff_sy", {"team_id": demo.team_sy})
    demo.act(ids[0], "decline", "vol1", {"reason": "时间安排不开"})
    dev_login(page, live_server)
    page.wait_for_selector("#content[data-view=dispatch]")

    page.click("a[data-nav=orders]")
    page.wait_for_selector("#orders-table tbody tr >> nth=19")
    assert page.locator("#orders-table tbody tr").count() == 20
    page.get_by_role("button", name="加载更多").click()
    until(page, "document.querySelectorAll('#orders-table tbody tr').length === 23")
    assert page.locator(".more").count() == 0

    page.goto(f"{live_server}/console/#/orders/{ids[0]}")
    page.wait_for_selector("#timeline li >> nth=2")
    assert page.locator("#timeline li strong").all_inner_texts() == ["提交工单", "派单", "退回"]
    shot(page, "07b-order-declined")


# --- 吹哨报到, 志愿活动 and 党员双报到 ---------------------------------------------------------------

def register_party_member(demo, who: str, real_name: str, work_unit: str) -> None:
    response = demo.client.patch("/api/v1/me", headers=demo.headers(who), json={
        "is_party_member": True, "home_area_id": demo.sy, "real_name": real_name, "work_unit": work_unit})
    assert response.status_code == 200, response.get_json()


def shanghai_in(minutes: int) -> str:
    """A datetime-local value `minutes` from now in Asia/Shanghai."""
    from datetime import datetime, timedelta, timezone

    moment = datetime.now(timezone.utc) + timedelta(minutes=minutes)
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def test_staff_blow_a_call_and_confirm_check_ins(page, live_server, demo, client):
    """Can staff blow a call for the area's Party members, see who came, confirm check-ins and close it?"""
    register_party_member(demo, "vol1", "李志愿", "县供电公司")
    register_party_member(demo, "resident2", "王党员", "县人民医院")
    dev_login(page, live_server)
    page.wait_for_selector("#content[data-view=dispatch]")

    page.click("a[data-nav=calls]")
    page.wait_for_selector("text=暂无符合条件的吹哨或活动")
    page.click("#new-call")
    form = page.locator("#call-form")
    form.wait_for()
    form.locator("select[name=area_id]").select_option(str(demo.sy))
    form.locator("input[name=title]").fill("防汛值守，急需党员志愿者")
    form.locator("textarea[name=description]").fill("今晚沿河巡查，请带雨衣和手电")
    form.locator("input[name=starts_at]").fill(shanghai_in(60))
    form.locator("input[name=quota]").fill("5")
    form.locator("input[name=points]").fill("20")
    form.locator("input[name=place]").fill("松阳社区党群服务中心")
    form.locator("input[name=party_members]").check()
    shot(page, "12-new-call")
    page.click("#call-submit")
    page.wait_for_selector(".toast >> text=已吹哨，已通知 2 人")
    page.wait_for_selector("#call-detail")
    assert "本区域报到党员" in page.inner_text("#call-detail")
    call_id = int(page.evaluate("location.hash").rsplit("/", 1)[1])
    call = client.get(f"/api/v1/calls/{call_id}", headers=demo.headers("staff_sy")).get_json()
    assert call["target"]["party_members"] is True and call["quota"] == 5 and call["points"] == 20
    assert call["recipient_count"] == 2

    # On their phones: 李志愿 signs up and checks in; 王党员 signs up only; 青山's staff are not called.
    for who in ("vol1", "resident2"):
        assert client.post(f"/api/v1/calls/{call_id}/signup", headers=demo.headers(who)).status_code == 201
    assert client.post(f"/api/v1/calls/{call_id}/checkin", headers=demo.headers("vol1")).status_code == 200
    page.reload()
    checked_in = page.locator(f"#signups-table tr[data-user-id='{demo.user_ids['vol1']}']")
    checked_in.wait_for()
    assert "已签到，待确认" in checked_in.inner_text() and "县供电公司" in checked_in.inner_text()
    shot(page, "13-call-signups")
    checked_in.get_by_role("button", name="确认签到").click()
    page.wait_for_selector(".toast >> text=已确认 李志愿 签到")
    page.wait_for_selector(f"#signups-table tr[data-user-id='{demo.user_ids['vol1']}'][data-status=confirmed]")
    came = page.locator(f"#signups-table tr[data-user-id='{demo.user_ids['resident2']}']")
    came.get_by_role("button", name="确认签到").click()
    page.wait_for_selector(f"#signups-table tr[data-user-id='{demo.user_ids['resident2']}'][data-status=confirmed]")
    signups = client.get(f"/api/v1/calls/{call_id}/signups", headers=demo.headers("staff_sy")).get_json()["items"]
    assert {s["status"] for s in signups} == {"confirmed"}
    assert client.get("/api/v1/me", headers=demo.headers("vol1")).get_json()["points"] == 20

    close = page.get_by_role("button", name="结束报名")
    close.click()
    page.get_by_role("button", name="确认结束？再点一次").click()
    page.wait_for_selector(".toast >> text=已结束")
    assert client.get(f"/api/v1/calls/{call_id}", headers=demo.headers("staff_sy")).get_json()["status"] == "closed"

    page.click("a[data-nav=calls]")
    row = page.locator(f"#calls-table tr[data-call-id='{call_id}']")
    row.wait_for()
    assert "已结束" in row.inner_text() and "2 / 5" in row.inner_text()
    shot(page, "14-calls")


def test_staff_post_an_activity_and_confirm_every_check_in(page, live_server, demo, client):
    """Can staff post an activity for everyone, filter calls awaiting confirmation and confirm them all at once?"""
    dev_login(page, live_server)
    page.wait_for_selector("#content[data-view=dispatch]")
    page.goto(f"{live_server}/console/#/calls/new")
    form = page.locator("#call-form")
    form.wait_for()
    form.locator("input[name=kind][value=activity]").check()
    page.wait_for_selector("#call-target >> text=不指定召集对象")
    form.locator("input[name=title]").fill("重阳节敬老院慰问")
    form.locator("textarea[name=description]").fill("为老人表演节目、打扫卫生")
    form.locator("input[name=starts_at]").fill(shanghai_in(30))
    form.locator("input[name=place]").fill("县敬老院")
    page.click("#call-submit")
    page.wait_for_selector(".toast >> text=志愿活动已发布")
    page.wait_for_selector("#call-detail")
    call_id = int(page.evaluate("location.hash").rsplit("/", 1)[1])
    # An activity is open to anyone in the area, the staff member who posted it too.
    for who in ("resident", "resident2", "vol2", "staff_sy"):
        assert client.post(f"/api/v1/calls/{call_id}/signup", headers=demo.headers(who)).status_code == 201
        assert client.post(f"/api/v1/calls/{call_id}/checkin", headers=demo.headers(who)).status_code == 200

    page.click("a[data-nav=calls]")
    page.locator("#call-search input[name=awaiting]").check()
    page.click("#call-search button[type=submit]")
    page.wait_for_selector(f"#calls-table tr[data-call-id='{call_id}']")
    page.click(f"#calls-table tr[data-call-id='{call_id}'] a")
    page.wait_for_selector("#signups-table")
    page.select_option("#signup-filter", "checked_in")
    page.wait_for_selector("#signups-table tr[data-status=checked_in] >> nth=2")
    mine = page.locator(f"#signups-table tr[data-user-id='{demo.user_ids['staff_sy']}']")
    assert "需其他工作人员确认" in mine.inner_text() and mine.locator("button").count() == 0
    page.click("#confirm-all")  # everyone's but the staff member's own (no self-awarded points)
    page.wait_for_selector(".toast >> text=已确认 3 人签到")
    page.wait_for_selector("#signups-table tr[data-status=confirmed] >> nth=2")
    assert "已确认签到 3" in page.inner_text("#call-detail")
    listed = client.get("/api/v1/calls", headers=demo.headers("admin"),
                        query_string={"awaiting_confirmation": "true"}).get_json()["items"]
    assert call_id in [c["id"] for c in listed]  # the staff member's own check-in waits for someone else


def test_party_register_figures_and_export(page, live_server, demo, client, tmp_path):
    """Do staff see the Party member register, its units and figures, and download it; does the dashboard count them?"""
    register_party_member(demo, "vol1", "李志愿", "县供电公司")
    register_party_member(demo, "resident2", "王党员", "县供电公司")
    register_party_member(demo, "leader_sy", "赵队长", "县人民医院")
    demo.order_at("completed")  # completed by vol1, a Party member
    dev_login(page, live_server)
    page.wait_for_selector("#content[data-view=dispatch]")

    page.click("a[data-nav=party]")
    page.wait_for_selector("#party-table tbody tr >> nth=2")
    assert page.locator("#party-table tbody tr").count() == 3
    assert page.inner_text(".card[data-figure=报到党员] .value").startswith("3")
    assert page.inner_text(".card[data-figure=驻区单位] .value").startswith("2")
    assert page.inner_text(".card[data-figure=本月党员服务] .value").startswith("1")
    vol1 = page.locator(f"#party-table tr[data-user-id='{demo.user_ids['vol1']}']")
    assert "县供电公司" in vol1.inner_text() and "1" in vol1.inner_text()
    units = page.inner_text("#units-table")
    assert "县供电公司" in units and "县人民医院" in units
    shot(page, "15-party-register")

    vol1.locator("a.member-link").click()  # the member's page: their services and calls
    page.wait_for_selector("#member-services tbody tr")
    assert "县供电公司" in page.inner_text("#member-detail") and "1 件" in page.inner_text("#member-detail")
    assert page.locator("#member-services tbody tr").count() == 1
    assert "还没有报名吹哨或活动" in page.inner_text("#content")
    shot(page, "15b-party-member")
    page.click("#content a[href='#/party']")
    page.wait_for_selector("#party-table tbody tr >> nth=2")

    page.fill("#party-search input[name=q]", "医院")
    page.click("#party-search button[type=submit]")
    until(page, "document.querySelectorAll('#party-table tbody tr').length === 1")
    assert "赵队长" in page.inner_text("#party-table")

    with page.expect_download() as download_info:
        page.click("#party-export-xlsx")
    path = tmp_path / "party.xlsx"
    download_info.value.save_as(path)
    rows = list(load_workbook(path).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["赵队长"]

    page.click("a[data-nav=stats]")
    page.wait_for_selector(".card[data-figure=双报到党员]")
    assert page.inner_text(".card[data-figure=双报到党员] .value").startswith("3")
    assert "驻区单位 2 个" in page.inner_text(".card[data-figure=双报到党员]")
    page.wait_for_selector("#report-text")
    assert "在职党员到社区“双报到”3名" in page.inner_text("#report-text")


def test_no_view_is_drawn_before_the_session_has_loaded(page, live_server, demo):
    """While a staff member's areas are still loading after login, is no view drawn (a form filled then would be
    drawn again, empty, once they arrive), and is the view asked for meanwhile drawn once they have?"""
    held, released = [], []

    def hold(route):
        route.continue_() if released else held.append(route)

    page.route("**/api/v1/areas?*", hold)
    dev_login(page, live_server)
    until(page, "document.getElementById('shell') && !document.getElementById('shell').hidden")
    page.evaluate("location.hash = '#/care-plans/new'")
    page.wait_for_timeout(300)
    assert held, "the session asks for the areas"
    assert page.locator("#care-plan-form").count() == 0
    released.append(True)
    for route in held:
        route.continue_()
    page.wait_for_selector("#care-plan-form")
    page.locator("#care-plan-form input[name=name]").fill("王奶奶")
    page.wait_for_timeout(300)
    assert page.locator("#care-plan-form input[name=name]").input_value() == "王奶奶"


def test_staff_set_up_a_care_plan_and_see_its_visits(page, live_server, demo, client, app):
    """Can staff set up a 周期服务 on the console, see its visits once the worker filed them, and pause it?"""
    from app.care.service import file_due_visits

    dev_login(page, live_server)
    page.click("a[data-nav=care-plans]")
    page.click("#new-care-plan")
    form = page.locator("#care-plan-form")
    form.locator("select[name=area_id]").select_option(str(demo.sy))
    form.locator("input[name=name]").fill("王奶奶")
    form.locator("input[name=phone]").fill("13900000001")
    form.locator("input[name=address]").fill("松阳小区5栋101")
    form.locator("select[name=category]").select_option("elderly")
    form.locator("textarea[name=description]").fill("量血压、打扫卫生、代买生活用品")
    for label in ("周一", "周二", "周三", "周四", "周五", "周六", "周日"):
        form.get_by_label(label).check()
    form.locator("select[name=time_slot]").select_option("上午")
    form.locator("input[name=starts_on]").fill("2026-01-01")
    form.locator("select[name=team_id]").select_option(label=TEAM_SY)
    shot(page, "10-care-plan-new")
    page.click("#care-plan-submit")
    page.wait_for_selector("#care-plan-detail")
    assert "每周一、周二、周三、周四、周五、周六、周日上午" in page.inner_text("#care-plan-detail")
    with app.app_context():
        assert file_due_visits() == 2  # today's and tomorrow's
    page.reload()
    page.wait_for_selector("#care-visits tbody tr")
    assert page.locator("#care-visits tbody tr").count() == 2
    assert "待接单" in page.inner_text("#care-visits")
    shot(page, "11-care-plan-detail")
    page.get_by_role("button", name="暂停").click()
    page.wait_for_selector("#care-plan-actions >> text=恢复")
    page.click("a[data-nav=care-plans]")
    page.wait_for_selector("#care-plans-table tbody tr")
    assert "已暂停" in page.inner_text("#care-plans-table")
    shot(page, "12-care-plans")


def test_rewards_shelf_redemptions_and_fulfilment(page, live_server, demo, client):
    """Can staff put a reward on the shelf, change its stock and take it off sale, find a volunteer's
    redemption by its code and hand it over (核销), and cancel another one (points back)?"""
    from app.extensions import db
    from app.points import service as points

    with demo.app.app_context():
        for who in ("vol1", "vol2"):
            points.award(demo.user_ids[who], demo.sy, 100, "call_checkin", note="测试积分")
        db.session.commit()
    dev_login(page, live_server)
    page.wait_for_selector("#content[data-view=dispatch]")
    page.click("a[data-nav=rewards]")
    page.wait_for_selector("#content[data-view=rewards] .empty")
    form = page.locator("#reward-form")
    form.locator("input[name=name]").fill("洗衣液（2 公斤）")
    form.locator("input[name=points]").fill("30")
    form.locator("input[name=stock]").fill("2")
    form.locator("textarea[name=description]").fill("党群服务中心一楼领取")
    page.click("#reward-submit")
    page.wait_for_selector(".toast >> text=已上架")
    row = page.locator("#rewards-table tbody tr").first
    row.wait_for()
    reward_id = int(row.get_attribute("data-reward-id"))
    assert "洗衣液（2 公斤）" in row.inner_text() and "上架中" in row.inner_text()
    row.locator("input.stock").fill("5")
    row.get_by_role("button", name="保存库存").click()
    page.wait_for_selector(".toast >> text=库存已改为 5")
    reward = client.get(f"/api/v1/rewards/{reward_id}", headers=demo.headers("staff_sy")).get_json()
    assert reward["stock"] == 5 and reward["active"] is True
    row.get_by_role("button", name="下架").click()
    row.locator("text=已下架").wait_for()
    assert client.get(f"/api/v1/rewards/{reward_id}", headers=demo.headers("staff_sy")).get_json()["active"] is False
    row.get_by_role("button", name="重新上架").click()
    row.locator("text=上架中").wait_for()
    shot(page, "20-rewards")

    mine = client.post(f"/api/v1/rewards/{reward_id}/redeem", headers=demo.headers("vol1")).get_json()
    other = client.post(f"/api/v1/rewards/{reward_id}/redeem", headers=demo.headers("vol2")).get_json()
    page.click("a[data-nav=redemptions]")
    page.wait_for_selector(f"#redemptions-table tr[data-redemption-id='{other['id']}']")
    until(page, "document.activeElement && document.activeElement.name === 'code'")  # a USB scanner types here
    page.keyboard.type("00000000")
    page.keyboard.press("Enter")
    page.wait_for_selector("#fulfil-result >> text=没有找到")
    page.fill("#fulfil-form input[name=code]", mine["code"])
    page.click("#fulfil-form button[type=submit]")
    found = page.locator(f"#fulfil-table tr[data-redemption-id='{mine['id']}']")
    found.wait_for()
    assert "松阳志愿者一" in found.inner_text() and "待领取" in found.inner_text()
    found.get_by_role("button", name="确认核销").click()
    found.locator("text=已领取").first.wait_for()
    assert client.get(f"/api/v1/redemptions/{mine['id']}", headers=demo.headers("vol1")).get_json()["status"] == "fulfilled"
    page.locator(f"#redemptions-table tr[data-redemption-id='{mine['id']}'] >> text=已领取").wait_for()
    shot(page, "21-fulfilled")

    row = page.locator(f"#redemptions-table tr[data-redemption-id='{other['id']}']")
    row.get_by_role("button", name="取消兑换").click()
    row.get_by_role("button", name="再点一次确认取消").click()
    row.locator("text=已取消").first.wait_for()
    with demo.app.app_context():
        assert points.balance(demo.user_ids["vol2"]) == 100
    shot(page, "22-redemptions")


def test_service_hours_export(page, live_server, demo, tmp_path):
    """Does 服务时长 download one row a volunteer for the chosen period, as xlsx and as csv?"""
    order = demo.order_at("in_service")
    demo.act(order["id"], "complete", "vol1", {"result": "已陪同", "service_minutes": 90,
                                              "helpers": [demo.user_ids["vol2"]]})
    dev_login(page, live_server)
    page.wait_for_selector("#content[data-view=dispatch]")
    page.click("a[data-nav=hours]")
    page.wait_for_selector("#hours-form")
    shot(page, "23-hours-export")
    with page.expect_download() as download_info:
        page.click("#hours-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "hours.xlsx"
    download.save_as(path)
    sheet = load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "姓名" in rows[0]
    names = {row[rows[0].index("姓名")] for row in rows[1:]}
    assert names == {"松阳志愿者一", "松阳志愿者二"}
    minutes = {row[rows[0].index("服务时长（分钟）")] for row in rows[1:]}
    assert minutes == {90}

    page.select_option("#hours-form select[name=month]", index=2)  # two months ago: nobody served
    with page.expect_download() as download_info:
        page.click("#hours-csv")
    path = tmp_path / "hours.csv"
    download_info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    assert "姓名" in rows[0] and len(rows) == 1


def test_an_admin_puts_rewards_only_on_a_communitys_shelf(page, live_server, demo):
    """Does the county admin's 上架 form offer the communities only (the shelf is a community's), and list
    every community's rewards under the county?"""
    dev_login(page, live_server, "demo-admin")
    page.wait_for_selector("#content[data-view=dispatch]")
    page.click("a[data-nav=rewards]")
    page.wait_for_selector("#reward-form")
    options = page.eval_on_selector_all("#reward-form select[name=area_id] option", "els => els.map(e => e.textContent)")
    assert options == ["松阳社区", "青山社区"]
    page.select_option("#reward-form select[name=area_id]", label="青山社区")
    page.fill("#reward-form input[name=name]", "抽纸（一提）")
    page.click("#reward-submit")
    page.wait_for_selector("#rewards-table >> text=青山社区")


def test_the_lived_in_demo_at_first_look(page, live_server, demo, app):
    """After the demo's three months (app/demo_history.py), does a newcomer's first look at the console show the
    product at work: overdue orders on the board, low ratings to call back, the shelf, redemptions in every status?"""
    with app.app_context():
        from app.demo_history import seed_history

        seed_history()
    dev_login(page, live_server)
    page.wait_for_selector("#dispatch-table tr.overdue")
    shot(page, "30-lived-in-dispatch")
    page.click("a[data-nav=ratings]")
    page.wait_for_selector("#ratings-table tbody tr")
    page.click("a[data-nav=rewards]")
    page.wait_for_selector("#rewards-table")
    assert page.locator("#rewards-table tbody tr").count() == 5
    assert "已下架" in page.inner_text("#rewards-table") and "已兑完" in page.inner_text("#rewards-table")
    page.click("a[data-nav=redemptions]")
    page.wait_for_selector("#redemptions-table tbody tr")
    shown = page.inner_text("#redemptions-table")
    assert all(word in shown for word in ("待领取", "已领取", "已取消"))
    shot(page, "31-lived-in-redemptions")
    page.click("a[data-nav=stats]")
    page.wait_for_selector(".card[data-figure=受理量]")
    shot(page, "32-lived-in-dashboard")
