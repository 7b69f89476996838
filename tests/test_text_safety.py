"""Text safety: descriptions, results and rating comments pass WeChat's msgSecCheck (the fake server here).

Risky text is refused with a 422 and a Chinese message; when WeChat cannot be reached the text is kept
and flagged for staff review, never lost.
"""
import socket

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.orders.models import Order, Rating
from app.wechat import WeChatGateway

RISKY = "出售假药广告"  # made risky on the fake server below; the dev gateway would let it pass


@pytest.fixture
def wx(app, database_url, fake_wechat):
    """The demo world served by an app that talks to the fake WeChat server."""
    wx_app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=app.config["UPLOAD_DIR"],
                        WECHAT_APP_ID=fake_wechat.app_id, WECHAT_APP_SECRET=fake_wechat.app_secret,
                        WECHAT_API_BASE_URL=fake_wechat.url, WECHAT_TIMEOUT=0.5)
    assert isinstance(wx_app.extensions["wechat"], WeChatGateway)
    fake_wechat.risky_words.add("假药广告")
    with wx_app.app_context():
        from app.demo import seed_demo

        ids = seed_demo()
        from app.teams.models import Team

        team_sy = db.session.scalar(select(Team.id).where(Team.area_id == ids["松阳社区"]))
    world = World(wx_app, fake_wechat, ids["松阳社区"], team_sy)
    yield world
    with wx_app.app_context():
        db.session.remove()
        db.engine.dispose()


class World:
    def __init__(self, app, fake, sy, team_sy):
        self.app, self.fake, self.sy, self.team_sy = app, fake, sy, team_sy
        self.client = app.test_client()
        self._headers = {}

    def headers(self, openid: str) -> dict:
        """Log in through the fake WeChat server's jscode2session."""
        if openid not in self._headers:
            code = f"code-{openid}"
            self.fake.add_code(code, openid)
            response = self.client.post("/api/v1/auth/wechat-login", json={"code": code})
            assert response.status_code == 200, response.get_json()
            self._headers[openid] = {"Authorization": f"Bearer {response.get_json()['access_token']}"}
        return self._headers[openid]

    def create(self, description="需要陪同去县医院复查", **changes):
        body = {"category": "escort", "description": description, "address": "松阳小区3栋2单元",
                "contact_name": "张大爷", "contact_phone": "13800001234", "area_id": self.sy, **changes}
        return self.client.post("/api/v1/orders", json=body, headers=self.headers("demo-resident-sy-1"))

    def act(self, order_id, action, openid, body=None):
        return self.client.post(f"/api/v1/orders/{order_id}/{action}", json=body or {}, headers=self.headers(openid))

    def order_at(self, status: str) -> int:
        """An order moved to `status` ('accepted' or 'completed') with clean texts."""
        order_id = self.create().get_json()["id"]
        assert self.act(order_id, "dispatch", "demo-staff-sy", {"team_id": self.team_sy}).status_code == 200
        assert self.act(order_id, "accept", "demo-volunteer-sy-1").status_code == 200
        if status == "completed":
            assert self.act(order_id, "complete", "demo-volunteer-sy-1", {"result": "已陪同复查"}).status_code == 200
        return order_id

    def staff_view(self, order_id):
        return self.client.get(f"/api/v1/orders/{order_id}", headers=self.headers("demo-staff-sy")).get_json()

    def count(self, model) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(model))


def assert_refused(response, field):
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["code"] == "validation_error"
    assert field in body["errors"]
    message = body["errors"][field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message  # a Chinese message


def test_clean_text_passes(wx):
    """Is ordinary text accepted and not flagged?"""
    response = wx.create()
    assert response.status_code == 201
    assert wx.staff_view(response.get_json()["id"])["needs_review"] is False


@pytest.mark.parametrize("field", ["description", "title"])
def test_risky_order_text_is_refused(wx, field):
    """Is an order whose description or title WeChat finds risky refused with 422, making nothing?"""
    changes = {"description": RISKY} if field == "description" else {"title": RISKY}
    assert_refused(wx.create(**changes), field)
    assert wx.count(Order) == 0


def test_risky_result_is_refused(wx):
    """Is a risky result refused with 422, leaving the order as it was?"""
    order_id = wx.order_at("accepted")
    assert_refused(wx.act(order_id, "complete", "demo-volunteer-sy-1", {"result": RISKY}), "result")
    after = wx.staff_view(order_id)
    assert after["status"] == "accepted" and [e["action"] for e in after["events"]][-1] == "accept"


def test_risky_rating_comment_is_refused(wx):
    """Is a risky rating comment refused with 422, leaving the order unrated?"""
    order_id = wx.order_at("completed")
    assert_refused(wx.act(order_id, "rate", "demo-resident-sy-1", {"stars": 1, "comment": RISKY}), "comment")
    assert wx.staff_view(order_id)["status"] == "completed"
    assert wx.count(Rating) == 0
    assert wx.act(order_id, "rate", "demo-resident-sy-1", {"stars": 1, "comment": "服务一般"}).status_code == 200


def test_review_suggestion_is_kept_and_flagged(wx):
    """When WeChat suggests a human review, is the order kept and flagged for staff only?"""
    wx.fake.review_words.add("可疑")
    response = wx.create(description="有点可疑的描述内容")
    assert response.status_code == 201
    assert response.get_json()["needs_review"] is False  # not the requester's business
    assert wx.staff_view(response.get_json()["id"])["needs_review"] is True


def _break_with_errcode(wx):
    wx.fake.fail_always("msg_sec_check", -1)  # WeChat's "system busy"


def _break_with_http_error(wx):
    for _ in range(10):
        wx.fake.http_error_next("msg_sec_check", 503)


def _break_token(wx):
    wx.fake.expire_tokens()
    wx.fake.fail_always("token", -1)


def _break_with_delay(wx):
    wx.fake.delay_seconds = 1.0  # over the app's WECHAT_TIMEOUT of 0.5 s


BREAKS = {"errcode": _break_with_errcode, "http_503": _break_with_http_error, "no_token": _break_token,
          "timeout": _break_with_delay}


@pytest.mark.parametrize("how", list(BREAKS))
def test_unreachable_wechat_keeps_and_flags_text(wx, how):
    """When msgSecCheck fails, are the description, result and comment all kept and flagged for staff?"""
    order_id = wx.order_at("accepted")
    wx.headers("demo-resident-sy-1")
    BREAKS[how](wx)

    made = wx.create(description="需要帮忙搬一下米和油")
    assert made.status_code == 201, made.get_json()
    new_order = wx.staff_view(made.get_json()["id"])
    assert new_order["description"] == "需要帮忙搬一下米和油" and new_order["needs_review"] is True

    done = wx.act(order_id, "complete", "demo-volunteer-sy-1", {"result": "米和油已经送到家"})
    assert done.status_code == 200
    assert wx.staff_view(order_id)["result"] == "米和油已经送到家"
    assert wx.staff_view(order_id)["needs_review"] is True

    rated = wx.act(order_id, "rate", "demo-resident-sy-1", {"stars": 5, "comment": "志愿者很热心"})
    assert rated.status_code == 200 and rated.get_json()["rating"]["comment"] == "志愿者很热心"
    assert rated.get_json()["rating"]["needs_review"] is True
    wx.fake.delay_seconds = 0.0
    _clear(wx)
    _flag_lists_for_staff(wx, {made.get_json()["id"], order_id}, order_id)


def test_wechat_down_altogether(wx, app, database_url, fake_wechat):
    """With WeChat's host refusing connections, is an order still made, kept and flagged?"""
    wx.headers("demo-resident-sy-1"), wx.headers("demo-staff-sy")
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/"
    down = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url, UPLOAD_DIR=app.config["UPLOAD_DIR"],
                      WECHAT_APP_ID=fake_wechat.app_id, WECHAT_APP_SECRET=fake_wechat.app_secret,
                      WECHAT_API_BASE_URL=dead, WECHAT_TIMEOUT=0.5)
    client = down.test_client()
    body = {"category": "escort", "description": "腿脚不便需要陪同就医", "address": "松阳小区3栋2单元",
            "contact_name": "张大爷", "contact_phone": "13800001234", "area_id": wx.sy}
    try:
        made = client.post("/api/v1/orders", json=body, headers=wx.headers("demo-resident-sy-1"))
        assert made.status_code == 201, made.get_json()
        seen = client.get(f"/api/v1/orders/{made.get_json()['id']}", headers=wx.headers("demo-staff-sy"))
        assert seen.get_json()["description"] == "腿脚不便需要陪同就医" and seen.get_json()["needs_review"] is True
    finally:
        with down.app_context():
            db.session.remove()
            db.engine.dispose()


def _clear(wx):
    wx.fake.fail_always("msg_sec_check", None)
    wx.fake.fail_always("token", None)


def _flag_lists_for_staff(wx, flagged_ids, rated_id):
    """Staff find flagged orders with ?needs_review=true and flagged comments in the rating queue."""
    staff = wx.headers("demo-staff-sy")
    page = wx.client.get("/api/v1/orders?needs_review=true", headers=staff).get_json()
    assert {o["id"] for o in page["items"]} == flagged_ids
    resident = wx.client.get("/api/v1/orders?needs_review=true", headers=wx.headers("demo-resident-sy-1"))
    assert resident.get_json()["items"] == []
    queue = wx.client.get("/api/v1/ratings", headers=staff).get_json()["items"]
    assert [r["order_id"] for r in queue] == [rated_id] and queue[0]["stars"] == 5
