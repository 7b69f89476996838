"""积分超市: rewards per community, redeeming (points debited at once, exact under concurrency on both
databases), 核销, cancelling (points and stock back once), the lists, the figures and the demo."""
from sqlalchemy import func, select

from app.extensions import db
from app.points import service as points
from app.points.models import PointsEntry
from app.rewards.models import Redemption, Reward
from tests.conftest import login
from tests.attachments.test_attachments import PNG, upload
from tests.test_races import fire


def give_points(demo, who_or_id, amount: int) -> int:
    user_id = who_or_id if isinstance(who_or_id, int) else demo.user_ids[who_or_id]
    with demo.app.app_context():
        points.award(user_id, demo.sy, amount, "call_checkin", note="测试积分")
        db.session.commit()
    return user_id


def balance(demo, who) -> int:
    return demo.client.get("/api/v1/me", headers=demo.headers(who)).get_json()["points"]


def make_reward(demo, who="staff_sy", status=201, **changes) -> dict:
    body = {"area_id": demo.sy, "name": "洗衣液（2 公斤）", "points": 30, "stock": 5, "description": "一楼积分超市领取"}
    body.update(changes)
    response = demo.client.post("/api/v1/rewards", json=body, headers=demo.headers(who))
    assert response.status_code == status, response.get_json()
    return response.get_json()


def post(demo, path, who, status, body=None) -> dict:
    headers = demo.headers(who) if isinstance(who, str) else who
    response = demo.client.post(f"/api/v1{path}", json=body or {}, headers=headers)
    assert response.status_code == status, (path, who, response.get_json())
    return response.get_json()


def get(demo, path, who, expect=200, **query) -> dict:
    response = demo.client.get(f"/api/v1{path}", query_string=query, headers=demo.headers(who))
    assert response.status_code == expect, (path, who, response.get_json())
    return response.get_json()


def stock_of(demo, reward_id) -> int:
    with demo.app.app_context():
        return db.session.get(Reward, reward_id).stock


def ledger(demo, reason=None) -> list[tuple]:
    with demo.app.app_context():
        query = select(PointsEntry.user_id, PointsEntry.amount, PointsEntry.reason).order_by(PointsEntry.id)
        if reason:
            query = query.where(PointsEntry.reason == reason)
        return [tuple(r) for r in db.session.execute(query)]


# --- rewards ------------------------------------------------------------------------------------

def test_staff_put_rewards_on_their_communitys_shelf(demo):
    """May staff (and admins) of a community add rewards there, while others are refused and bad input is 422?"""
    reward = make_reward(demo)
    assert {k: reward[k] for k in ("area_id", "area_name", "name", "points", "stock", "active", "photo_url")} == {
        "area_id": demo.sy, "area_name": "松阳社区", "name": "洗衣液（2 公斤）", "points": 30, "stock": 5,
        "active": True, "photo_url": None}
    make_reward(demo, "admin", name="大米")
    assert make_reward(demo, "staff_qs", 403)["code"] == "forbidden"
    make_reward(demo, "vol1", 403)
    assert "area_id" in make_reward(demo, status=422, area_id=demo.town)["errors"]
    assert "area_id" in make_reward(demo, status=422, area_id=999999)["errors"]
    for field, value in [("points", 0), ("points", 100001), ("stock", -1), ("stock", "5"), ("name", ""),
                         ("name", "长" * 65), ("photo", "nope"), ("active", "maybe")]:
        assert field in make_reward(demo, status=422, **{field: value})["errors"], field


def test_reward_photos_are_the_staffs_uploads_and_everyone_sees_them(demo, client):
    """Is a reward's photo one of the staff member's own uploads, shown to every user?"""
    photo = upload(client, demo.headers("staff_sy"), PNG).get_json()["id"]
    reward = make_reward(demo, photo=photo)
    assert reward["photo_url"] == f"/api/v1/attachments/{photo}"
    assert client.get(reward["photo_url"], headers=demo.headers("resident_qs")).status_code == 200
    others = upload(client, demo.headers("vol1"), PNG).get_json()["id"]
    assert make_reward(demo, status=422, photo=others)["errors"] == {"photo": ["图片不存在或不属于您"]}
    loose = upload(client, demo.headers("staff_sy"), PNG).get_json()["id"]
    assert client.get(f"/api/v1/attachments/{loose}", headers=demo.headers("vol1")).status_code == 404


def test_rewards_are_listed_for_users_with_their_balance(demo):
    """Does a volunteer see their communities' rewards on sale (not those off sale, which staff see), with
    their balance, page by page?"""
    ids = [make_reward(demo, name=f"奖品{n}", points=10 + n)["id"] for n in range(5)]
    hidden = make_reward(demo, name="春节福袋", active=False)["id"]
    qs = make_reward(demo, "staff_qs", area_id=demo.qs, name="食用油")["id"]
    give_points(demo, "vol1", 42)
    first = get(demo, "/rewards", "vol1", limit=3)
    assert [r["id"] for r in first["items"]] == ids[::-1][:3] and first["balance"] == 42
    second = get(demo, "/rewards", "vol1", limit=3, cursor=first["next_cursor"])
    assert [r["id"] for r in second["items"]] == ids[1::-1] and second["next_cursor"] is None
    assert hidden in [r["id"] for r in get(demo, "/rewards", "staff_sy")["items"]]
    assert [r["id"] for r in get(demo, "/rewards", "staff_sy", active="false")["items"]] == [hidden]
    assert [r["id"] for r in get(demo, "/rewards", "vol1", area_id=demo.qs)["items"]] == [qs]
    assert [r["id"] for r in get(demo, "/rewards", "resident_qs")["items"]] == [qs]  # their home community's
    assert len(get(demo, "/rewards", "admin", area_id=demo.county)["items"]) == 7
    get(demo, f"/rewards/{hidden}", "vol1", 404)
    assert get(demo, f"/rewards/{ids[0]}", "resident_qs")["name"] == "奖品0"


def test_staff_change_a_reward(demo):
    """May staff of its community change stock, sale and points, others not (403, or 404 when off sale)?"""
    reward = make_reward(demo)
    url = f"/api/v1/rewards/{reward['id']}"
    changed = demo.client.patch(url, json={"stock": 12, "points": 25, "active": False},
                                headers=demo.headers("staff_sy"))
    assert changed.status_code == 200
    assert {k: changed.get_json()[k] for k in ("stock", "points", "active")} == {"stock": 12, "points": 25,
                                                                                 "active": False}
    assert demo.client.patch(url, json={"stock": 1}, headers=demo.headers("vol1")).status_code == 404
    demo.client.patch(url, json={"active": True}, headers=demo.headers("staff_sy"))
    assert demo.client.patch(url, json={"stock": 1}, headers=demo.headers("vol1")).status_code == 403
    assert demo.client.patch(url, json={"stock": 1}, headers=demo.headers("staff_qs")).status_code == 403
    assert demo.client.patch(url, json={"stock": -1}, headers=demo.headers("staff_sy")).status_code == 422
    assert demo.client.patch(url, json={"area_id": demo.qs}, headers=demo.headers("staff_sy")).status_code == 422
    assert stock_of(demo, reward["id"]) == 12


# --- redeeming ----------------------------------------------------------------------------------

def test_redeeming_debits_the_points_at_once(demo):
    """Does a redemption answer 201 with a code, take the points from the balance (ledger `redeem`) and one
    from the stock?"""
    reward = make_reward(demo)
    give_points(demo, "vol1", 100)
    body = post(demo, f"/rewards/{reward['id']}/redeem", "vol1", 201)
    assert {k: body[k] for k in ("reward_id", "status", "points", "reward_name", "area_name", "allowed_actions")} == {
        "reward_id": reward["id"], "status": "pending", "points": 30, "reward_name": "洗衣液（2 公斤）",
        "area_name": "松阳社区", "allowed_actions": ["cancel"]}
    assert len(body["code"]) == 8 and body["code"].isdigit()
    assert balance(demo, "vol1") == 70 and stock_of(demo, reward["id"]) == 4
    assert ledger(demo, "redeem") == [(demo.user_ids["vol1"], -30, "redeem")]
    entries = get(demo, "/me/points", "vol1")["entries"]
    assert (entries[0]["amount"], entries[0]["reason_label"]) == (-30, "积分兑换")


def test_what_cannot_be_redeemed_is_409_and_changes_nothing(demo):
    """Short of points, out of stock or off sale: 409 conflict with a Chinese message, nothing debited?"""
    reward = make_reward(demo, points=50, stock=1)
    give_points(demo, "vol1", 49)
    short = post(demo, f"/rewards/{reward['id']}/redeem", "vol1", 409)
    assert short["code"] == "conflict" and "积分不足" in short["message"]
    give_points(demo, "vol1", 51)
    post(demo, f"/rewards/{reward['id']}/redeem", "vol1", 201)
    assert "已兑完" in post(demo, f"/rewards/{reward['id']}/redeem", "vol1", 409)["message"]
    off = make_reward(demo, name="春节福袋", points=10)
    demo.client.patch(f"/api/v1/rewards/{off['id']}", json={"active": False}, headers=demo.headers("staff_sy"))
    post(demo, f"/rewards/{off['id']}/redeem", "vol1", 404)  # off sale: not shown to volunteers
    assert "已下架" in post(demo, f"/rewards/{off['id']}/redeem", "staff_sy", 409)["message"]
    assert balance(demo, "vol1") == 50 and stock_of(demo, reward["id"]) == 0
    assert len(ledger(demo, "redeem")) == 1
    post(demo, "/rewards/999999/redeem", "vol1", 404)
    assert "sneaky" in post(demo, f"/rewards/{reward['id']}/redeem", "vol1", 422, {"sneaky": 1})["errors"]


def test_fulfilment_needs_staff_of_the_community_and_the_code(demo):
    """核销: is a wrong code 422, the owner 403, other staff 404, and a handed-over reward final (409)?"""
    reward = make_reward(demo)
    give_points(demo, "vol1", 30)
    redemption = post(demo, f"/rewards/{reward['id']}/redeem", "vol1", 201)
    url = f"/redemptions/{redemption['id']}/fulfil"
    wrong = "00000000" if redemption["code"] != "00000000" else "11111111"
    assert post(demo, url, "staff_sy", 422, {"code": wrong})["errors"] == {"code": ["核销码不正确"]}
    assert "code" in post(demo, url, "staff_sy", 422, {"code": "12ab"})["errors"]
    post(demo, url, "vol1", 403, {"code": redemption["code"]})
    post(demo, url, "staff_qs", 404, {"code": redemption["code"]})
    done = post(demo, url, "staff_sy", 200, {"code": redemption["code"]})
    assert done["status"] == "fulfilled" and done["fulfilled_at"] and done["allowed_actions"] == []
    assert done["code"] is None  # staff never see the code
    post(demo, url, "staff_sy", 409, {"code": redemption["code"]})
    post(demo, f"/redemptions/{redemption['id']}/cancel", "vol1", 409)
    assert balance(demo, "vol1") == 0 and stock_of(demo, reward["id"]) == 4


def test_cancelling_gives_points_and_stock_back_once(demo):
    """May the owner (while pending) or staff cancel, giving the points (`refund`) and the stock back, once?"""
    reward = make_reward(demo)
    give_points(demo, "vol1", 60)
    mine = post(demo, f"/rewards/{reward['id']}/redeem", "vol1", 201)
    other = post(demo, f"/rewards/{reward['id']}/redeem", "vol1", 201)
    post(demo, f"/redemptions/{mine['id']}/cancel", "vol2", 404)
    cancelled = post(demo, f"/redemptions/{mine['id']}/cancel", "vol1", 200)
    assert cancelled["status"] == "cancelled" and cancelled["status_label"] == "已取消"
    post(demo, f"/redemptions/{mine['id']}/cancel", "vol1", 409)
    assert post(demo, f"/redemptions/{other['id']}/cancel", "staff_sy", 200)["status"] == "cancelled"
    assert balance(demo, "vol1") == 60 and stock_of(demo, reward["id"]) == 5
    assert ledger(demo, "refund") == [(demo.user_ids["vol1"], 30, "refund")] * 2


def test_redemption_lists(demo):
    """Do I see my redemptions with their codes, and staff their areas' without codes, found by a typed code?"""
    reward = make_reward(demo)
    qs_reward = make_reward(demo, "staff_qs", area_id=demo.qs, name="食用油")
    give_points(demo, "vol1", 200)
    give_points(demo, "vol2", 200)
    a = post(demo, f"/rewards/{reward['id']}/redeem", "vol1", 201)
    b = post(demo, f"/rewards/{qs_reward['id']}/redeem", "vol1", 201)
    c = post(demo, f"/rewards/{reward['id']}/redeem", "vol2", 201)
    post(demo, f"/redemptions/{c['id']}/cancel", "vol2", 200)
    mine = get(demo, "/me/redemptions", "vol1")["items"]
    assert [(r["id"], r["code"]) for r in mine] == [(b["id"], b["code"]), (a["id"], a["code"])]
    assert mine[0]["photo_url"] is None and mine[0]["area_name"] == "青山社区"
    staff = get(demo, "/redemptions", "staff_sy")["items"]
    assert [r["id"] for r in staff] == [c["id"], a["id"]] and {r["code"] for r in staff} == {None}
    assert staff[1]["user_name"] == "松阳志愿者一" and staff[1]["allowed_actions"] == ["fulfil", "cancel"]
    assert [r["id"] for r in get(demo, "/redemptions", "staff_sy", code=a["code"])["items"]] == [a["id"]]
    assert [r["id"] for r in get(demo, "/redemptions", "staff_sy", status="cancelled")["items"]] == [c["id"]]
    assert [r["id"] for r in get(demo, "/redemptions", "staff_qs")["items"]] == [b["id"]]
    assert [r["id"] for r in get(demo, "/redemptions", "admin", limit=1)["items"]] == [c["id"]]
    get(demo, "/redemptions", "vol1", 403)
    assert get(demo, f"/redemptions/{a['id']}", "vol1")["code"] == a["code"]
    get(demo, f"/redemptions/{a['id']}", "vol2", 404)
    get(demo, f"/redemptions/{a['id']}", "staff_qs", 404)
    assert get(demo, "/redemptions", "staff_sy", 422, code="12")["errors"]["code"]
    with demo.app.app_context():
        from app.rewards.service import redemptions_of

        assert [r["id"] for r in redemptions_of(demo.user_ids["vol1"])] == [a["id"], b["id"]]


# --- figures ------------------------------------------------------------------------------------

def test_spent_points_are_not_earned_points(demo):
    """Do the leaderboard and points_awarded leave redemptions out, while points_redeemed counts them net of
    refunds, in the summary and the monthly report?"""
    reward = make_reward(demo, points=20)
    give_points(demo, "vol1", 50)
    give_points(demo, "vol2", 40)
    kept = post(demo, f"/rewards/{reward['id']}/redeem", "vol1", 201)
    back = post(demo, f"/rewards/{reward['id']}/redeem", "vol2", 201)
    post(demo, f"/rewards/{reward['id']}/redeem", "vol2", 201)
    post(demo, f"/redemptions/{back['id']}/cancel", "vol2", 200)
    board = get(demo, "/points/leaderboard", "vol1", area_id=demo.sy)["items"]
    assert [(i["user_id"], i["points"]) for i in board] == [(demo.user_ids["vol1"], 50), (demo.user_ids["vol2"], 40)]
    summary = get(demo, "/stats/summary", "staff_sy", area_id=demo.sy)
    assert (summary["points_awarded"], summary["points_redeemed"]) == (90, 40)
    assert get(demo, "/stats/summary", "staff_qs")["points_redeemed"] == 0
    report = get(demo, "/stats/report", "staff_sy")
    assert "志愿者在积分超市兑换积分40分" in report["text"] and report["figures"]["points_redeemed"] == 40
    with demo.app.app_context():
        assert db.session.scalar(select(func.sum(PointsEntry.amount)).where(
            PointsEntry.reason.in_(points.SPENDING_REASONS))) == -40
    assert kept["status"] == "pending"


# --- statements ---------------------------------------------------------------------------------

def test_each_request_is_a_fixed_number_of_statements(demo, count_statements):
    """Do the lists, a redemption, 核销 and a cancellation cost the same statements with 2 rows as with 12?"""
    rewards = [make_reward(demo, name=f"奖品{n}", points=1, stock=50)["id"] for n in range(12)]
    for who in ("vol1", "staff_sy"):
        demo.client.get("/api/v1/me", headers=demo.headers(who))
    give_points(demo, "vol1", 1000)

    def cost(call) -> int:
        with count_statements() as statements:
            call()
        return len(statements)

    def costs(n) -> dict:
        made = [post(demo, f"/rewards/{rewards[i]}/redeem", "vol1", 201) for i in range(n - 1)]
        result = {
            "rewards": cost(lambda: get(demo, "/rewards", "vol1", limit=50)),
            "redeem": cost(lambda: made.append(post(demo, f"/rewards/{rewards[n]}/redeem", "vol1", 201))),
            "mine": cost(lambda: get(demo, "/me/redemptions", "vol1", limit=50)),
            "staff": cost(lambda: get(demo, "/redemptions", "staff_sy", limit=50)),
            "fulfil": cost(lambda: post(demo, f"/redemptions/{made[0]['id']}/fulfil", "staff_sy", 200,
                                        {"code": made[0]["code"]})),
            "cancel": cost(lambda: post(demo, f"/redemptions/{made[-1]['id']}/cancel", "vol1", 200)),
        }
        return result

    few = costs(2)
    many = costs(10)
    assert few == many
    assert few == {"rewards": 4, "redeem": 8, "mine": 2, "staff": 2, "fulfil": 4, "cancel": 6}


# --- races --------------------------------------------------------------------------------------

def test_twenty_volunteers_race_for_five_in_stock(demo, client, app, live_server):
    """Do 20 volunteers redeeming 5 in stock at once get exactly 5 redemptions, the stock 0 and no balance below
    zero, on this database?"""
    reward = make_reward(demo, points=30, stock=5)
    volunteers = []
    for i in range(20):
        headers = login(client, f"reward-racer-{i}")
        user_id = client.get("/api/v1/me", headers=headers).get_json()["id"]
        give_points(demo, user_id, 30)
        volunteers.append((user_id, headers))
    url = f"{live_server}/api/v1/rewards/{reward['id']}/redeem"
    responses = fire([("POST", url, {"headers": headers, "json": {}}) for _, headers in volunteers])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] * 5 + [409] * 15, [r.text for r in responses if r.status_code not in (201, 409)]
    assert {r.json()["message"] for r in responses if r.status_code == 409} == {"该奖品已兑完"}
    winners = {r.json()["user_id"] for r in responses if r.status_code == 201}
    with app.app_context():
        assert db.session.get(Reward, reward["id"]).stock == 0
        assert db.session.scalar(select(func.count()).select_from(Redemption)) == 5
        balances = dict(db.session.execute(select(PointsEntry.user_id, func.sum(PointsEntry.amount))
                                           .group_by(PointsEntry.user_id)).all())
    assert all(balances[user_id] == (0 if user_id in winners else 30) for user_id, _ in volunteers)


def test_a_volunteer_racing_themself_never_goes_below_zero(demo, app, live_server):
    """Do 8 redemptions at once by one volunteer with points for 2 make exactly 2, the balance 0?"""
    reward = make_reward(demo, points=25, stock=100)
    give_points(demo, "vol1", 50)
    url = f"{live_server}/api/v1/rewards/{reward['id']}/redeem"
    responses = fire([("POST", url, {"headers": demo.headers("vol1"), "json": {}})] * 8)
    assert sorted(r.status_code for r in responses) == [201] * 2 + [409] * 6
    assert balance(demo, "vol1") == 0 and stock_of(demo, reward["id"]) == 98


def test_racing_cancellations_refund_once(demo, app, live_server):
    """Do 10 cancellations of one redemption at once (owner and staff) give points and stock back exactly once,
    and a 核销 racing them either wins or loses whole?"""
    reward = make_reward(demo, points=10, stock=3)
    give_points(demo, "vol1", 20)
    for round_ in range(2):
        redemption = post(demo, f"/rewards/{reward['id']}/redeem", "vol1", 201)
        base = f"{live_server}/api/v1/redemptions/{redemption['id']}"
        calls = [("POST", f"{base}/cancel", {"headers": demo.headers(who), "json": {}})
                 for who in ("vol1", "staff_sy") * 5]
        if round_:
            calls.append(("POST", f"{base}/fulfil", {"headers": demo.headers("staff_sy"),
                                                     "json": {"code": redemption["code"]}}))
        responses = fire(calls)
        assert sorted(r.status_code for r in responses).count(200) == 1
        assert {r.status_code for r in responses} <= {200, 409}
        with app.app_context():
            status = db.session.get(Redemption, redemption["id"]).status
        assert status in ("cancelled", "fulfilled")
    refunds = len(ledger(demo, "refund"))
    assert balance(demo, "vol1") == 20 - 10 * (2 - refunds)
    assert stock_of(demo, reward["id"]) == 3 - (2 - refunds)
