"""The demo world lived in (DESIGN §8 "A lived-in demo"): the demo communities' last three months.

`flask seed-demo` runs this after the accounts of DESIGN §7 exist (app/demo.py). Everything is written by the
app's own operations — placing, dispatching, serving, rating, reviewing and cancelling orders; blowing calls,
signing up, checking in and confirming; putting rewards on the shelf, redeeming, 核销 and cancelling — with
app/clock.py moved back to the moment each step happened, so events, points, service credits and figures agree
as they would in real use. Each piece is looked for first (an order by its requester and description, a call
by its area and title, a reward by its area and name, a redemption by its owner and reward), so running it again
adds nothing. The story is fixed (no randomness) and placed relative to today.
"""
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select

from app import clock
from app.areas.models import Area
from app.auth.viewer import Viewer, load_viewer
from app.calls import service as calls
from app.calls.models import Call
from app.extensions import db
from app.notifications.delivery import deliver_pending
from app.orders import service as orders
from app.orders.models import Order
from app.rewards import service as rewards
from app.rewards.models import Redemption, Reward
from app.stats.service import TZ
from app.teams.models import Team
from app.users.models import User

COMMUNITIES = {"sy": "松阳社区", "qs": "青山社区"}
STAFF = {"sy": "demo-staff-sy", "qs": "demo-staff-qs"}
VOLUNTEERS = {"sy": ["demo-volunteer-sy-1", "demo-volunteer-sy-2", "demo-leader-sy"], "qs": ["demo-leader-qs"]}
RESIDENTS = {"demo-resident-sy-1": ("李秀英", "13800001001", "松阳小区3栋2单元401"),
             "demo-resident-sy-2": ("赵德明", "13800001002", "松阳新村12号楼1单元202"),
             "demo-resident-qs-1": ("孙桂兰", "13800001003", "青山花园5栋1单元101")}


@dataclass
class Story:
    """One order's life: placed `days` ago at `hour` (Shanghai), then carried to its `fate`."""

    community: str
    days: float
    hour: int
    requester: str  # an openid, or "grid" for the grid worker filing on a resident's behalf
    category: str
    description: str
    fate: str  # ordered, dispatched, accepted, in_service, completed, rated, low, reviewed, closed, cancelled
    volunteer: str = ""  # who accepts (a member of the community's team)
    helper: str = ""  # a team mate who served too
    stars: int = 5
    comment: str = ""
    minutes: int = 90  # from start to completion


S, Q = "sy", "qs"
R1, R2, RQ = "demo-resident-sy-1", "demo-resident-sy-2", "demo-resident-qs-1"
V1, V2, LS, LQ = "demo-volunteer-sy-1", "demo-volunteer-sy-2", "demo-leader-sy", "demo-leader-qs"
STORIES = [
    Story(S, 88, 9, R1, "escort", "老伴要去县医院做白内障复查，子女都在外地，想请人陪同", "rated", V1, stars=5,
          comment="小伙子很细心，挂号取药都帮忙了", minutes=180),
    Story(S, 84, 15, R2, "repair", "厨房的电饭煲不加热了，插上电指示灯也不亮", "rated", V2, stars=5, minutes=60),
    Story(Q, 82, 10, RQ, "elderly", "腿脚不方便，想请人每周帮忙买一次菜送上门", "rated", LQ, stars=5,
          comment="送来的菜很新鲜，谢谢志愿者", minutes=75),
    Story(S, 79, 8, R1, "haircut", "老人卧床半年了，想请理发师上门理个发", "rated", LS, stars=4, minutes=45),
    Story(S, 75, 14, "grid", "escort", "独居老人周奶奶需要陪同去社区医院打疫苗", "rated", V1, helper=V2, stars=5,
          minutes=120),
    Story(Q, 72, 9, RQ, "legal", "想咨询一下老房子过户给子女要办哪些手续", "rated", LQ, stars=4, minutes=60),
    Story(S, 70, 16, R2, "repair", "客厅的吸顶灯一闪一闪的，自己不敢爬高去换", "low", V2, stars=2,
          comment="约好上午来，下午才到，也没提前说", minutes=40),
    Story(S, 66, 10, R1, "escort", "下周二要去县医院拿检查结果，想有人陪着一起去", "cancelled"),
    Story(S, 63, 9, R2, "haircut", "想请人上门给90岁的老母亲理发", "rated", LS, stars=5, minutes=40),
    Story(Q, 60, 15, RQ, "elderly", "家里的老人想找人陪着聊聊天、读读报", "reviewed", LQ, stars=2,
          comment="时间太短了，老人还想多聊一会儿", minutes=30),
    Story(S, 57, 8, R1, "repair", "洗衣机脱水的时候响得厉害，还会移位", "rated", V2, helper=LS, stars=5, minutes=110),
    Story(S, 53, 14, "grid", "elderly", "独居老人吴大爷行动不便，想请人帮忙打扫一下屋子", "rated", V1, helper=V2,
          stars=5, comment="打扫得很干净，吴大爷很满意", minutes=150),
    Story(S, 49, 10, R2, "escort", "需要有人陪同去医院做腿部理疗，一共三次", "rated", V1, stars=4, minutes=160),
    Story(Q, 46, 9, RQ, "legal", "邻居装修占用了楼道，想咨询怎么协商解决", "closed", LQ, minutes=50),
    Story(S, 43, 15, R1, "repair", "电视机有声音没图像，想请人看看能不能修", "reviewed", V2, stars=1,
          comment="修完第二天又坏了", minutes=70),
    Story(S, 40, 9, R2, "haircut", "想给家里的老人上门理发，最好是周末", "cancelled"),
    Story(S, 36, 10, R1, "escort", "老伴要去市医院复查心脏，路远，想请人开车陪同", "rated", LS, helper=V1, stars=5,
          comment="路上照顾得特别周到", minutes=300),
    Story(Q, 33, 14, RQ, "elderly", "想请人帮忙把冬天的棉被拿到楼下晒一晒", "rated", LQ, stars=5, minutes=45),
    Story(S, 30, 16, "grid", "repair", "独居老人家里的水龙头一直滴水，关不紧", "rated", V2, stars=4, minutes=35),
    Story(S, 27, 9, R2, "escort", "需要陪同去医院做胃镜检查，要空腹，上午去", "closed", V1, minutes=200),
    Story(S, 24, 10, R1, "haircut", "行动不便，想请理发志愿者上门剪个头发", "rated", LS, stars=5, minutes=40),
    Story(Q, 21, 15, RQ, "legal", "退休金账户的事想找人咨询一下，不知道该去哪里问", "low", LQ, stars=2,
          comment="说得太快了，没听明白", minutes=40),
    Story(S, 18, 8, R2, "repair", "冰箱冷藏室不制冷了，冷冻还可以", "rated", V2, stars=5, minutes=90),
    Story(S, 15, 14, R1, "escort", "想请人陪同去社区医院量血压、开降压药", "rated", V1, stars=5, minutes=80),
    Story(S, 12, 10, "grid", "elderly", "独居的钱奶奶想请人帮忙交一下水电费", "low", V2, stars=2,
          comment="等了好几天才有人来", minutes=30),
    Story(Q, 10, 9, RQ, "elderly", "想请人帮忙把阳台上的旧花盆搬下楼", "cancelled"),
    Story(S, 8, 15, R2, "haircut", "老人想在过节前理个发，精神一点", "rated", LS, stars=5, minutes=35),
    Story(S, 6, 9, R1, "repair", "热水器打不着火，洗不了澡", "completed", V2, minutes=75),
    Story(Q, 5, 10, RQ, "legal", "想问问赡养费的问题，子女不太管", "ordered"),
    Story(S, 4, 14, R2, "escort", "需要陪同去县医院复查血糖，上午八点前要到", "ordered"),
    Story(S, 3, 9, "grid", "elderly", "独居老人郑大爷想请人每周来看看他", "dispatched"),
    Story(S, 2, 10, R1, "haircut", "想请人上门给老伴理发", "accepted", LS),
    Story(S, 1, 8, R2, "repair", "卫生间的排风扇不转了", "in_service", V2),
    Story(Q, 1, 9, RQ, "elderly", "想请人陪着去菜市场买点年货", "completed", LQ, minutes=90),
    Story(S, 0.2, 7, R1, "escort", "明天要去医院换药，想请人陪同", "ordered"),
]
ON_BEHALF = {"name": "周秀珍", "phone": "13800001009"}  # the elder a grid worker files for

# (community, kind, title, place, days ago it starts, hour, hours, points, who came / who signed up)
CALLS = [
    (S, "activity", "重阳节敬老院慰问", "松阳社区养老服务中心", 75, 9, 3, 20, [LS, V1, V2]),
    (S, "call", "暴雨后小区积水清理", "松阳小区中心广场", 52, 7, 3, 20, [V1, V2, LS]),
    (Q, "activity", "青山河道清理", "青山河东岸", 40, 9, 3, 20, [LQ]),
    (S, "activity", "垃圾分类宣传进小区", "松阳小区中心广场", 20, 9, 2, 20, [LS, V1, V2]),
    (Q, "activity", "冬季义诊进社区", "青山社区党群服务中心", 9, 9, 3, 15, [LQ, RQ]),
    (S, "activity", "周末敬老院包饺子", "松阳社区养老服务中心", -5, 9, 3, 15, [V1, R1]),  # still to come
]
# community: (name, description, points, stock, on sale)
REWARDS = {
    S: [("洗衣液（2 公斤）", "党群服务中心一楼积分超市领取", 30, 20, True),
        ("大米（5 斤）", "每月 10 日前后到货", 60, 10, True),
        ("老年人上门理发券", "由服务队理发志愿者上门，一次一张", 20, 0, True),
        ("环保购物袋", "可重复使用的帆布袋", 10, 50, True),
        ("春节福袋", "春节前后上架", 80, 0, False)],
    Q: [("食用油（1.8 升）", "青山社区居委会领取", 80, 5, True),
        ("抽纸（一提）", "青山社区居委会领取", 25, 15, True)],
}
# who, community, reward, what became of it, days ago
REDEMPTIONS = [(V1, S, "洗衣液（2 公斤）", "fulfilled", 45), (V2, S, "环保购物袋", "fulfilled", 30),
               (LS, S, "大米（5 斤）", "fulfilled", 16), (LQ, Q, "抽纸（一提）", "fulfilled", 12),
               (LS, S, "环保购物袋", "cancelled", 6), (V1, S, "大米（5 斤）", "pending", 4),
               (V2, S, "洗衣液（2 公斤）", "pending", 2)]


def _at(now: datetime, days: float, hour: int = 9) -> datetime:
    """A Shanghai wall-clock hour so many days before `now` (a fraction of a day: that long before it)."""
    if 0 < days < 1:
        return now - timedelta(days=days)
    day = (now.astimezone(TZ) - timedelta(days=days)).date()
    return datetime.combine(day, time(hour), TZ)


@contextmanager
def _back_in_time():
    """Steps run with the clock frozen where they happened; the clock (and rate limits) as they were after."""
    frozen, limits = clock.frozen_at(), current_app.config["RATELIMIT_ENABLED"]
    current_app.config["RATELIMIT_ENABLED"] = False  # the story is not a user racing the limits
    try:
        yield
    finally:
        clock.freeze(frozen)
        current_app.config["RATELIMIT_ENABLED"] = limits


class _World:
    """The demo's people (as viewers), communities and teams."""

    def __init__(self):
        self.now = clock.now()  # the story is placed before this moment
        self.users = {u.openid: u for u in db.session.scalars(select(User).where(User.openid.like("demo-%")))}
        areas = {a.name: a for a in db.session.scalars(select(Area).where(Area.name.in_(COMMUNITIES.values())))}
        self.areas = {key: areas[name] for key, name in COMMUNITIES.items()}
        self.teams = {key: db.session.scalars(select(Team.id).where(Team.area_id == area.id).order_by(Team.id)).first()
                      for key, area in self.areas.items()}
        self._viewers: dict[str, Viewer] = {}

    def viewer(self, openid: str) -> Viewer:
        if openid not in self._viewers:
            user = self.users[openid]
            self._viewers[openid] = load_viewer(user.id, user.token_version)
        return self._viewers[openid]

    def act(self, moment: datetime, openid: str, order_id: int, action: str, body: dict | None = None) -> None:
        clock.freeze(moment)
        orders.act(self.viewer(openid), order_id, action, body or {})
        deliver_as_worker()


def deliver_as_worker() -> None:
    """What the worker would have done just then: the in-app messages (消息) of the step, stamped with its time.

    Only in dev mode (no WeChat app): with one, the notifications wait for `flask worker`, which is where subscribe
    messages are sent from.
    """
    if not current_app.config.get("WECHAT_APP_ID"):
        deliver_pending(worker="seed-demo")


def seed_history() -> dict:
    """Add what is missing of the demo's last three months; returns how much it added."""
    world = _World()
    added = {"orders": 0, "calls": 0, "rewards": 0, "redemptions": 0}
    with _back_in_time():
        added["rewards"] = sum(_reward(world, key, *item) for key, items in REWARDS.items() for item in items)
        added["calls"] = sum(_call(world, *call) for call in CALLS)
        added["orders"] = sum(_order(world, story) for story in STORIES)
        added["redemptions"] = sum(_redemption(world, *item) for item in REDEMPTIONS)
    db.session.commit()
    return added


def _order(world: _World, story: Story) -> int:
    requester = world.users[story.requester if story.requester != "grid" else "demo-grid-sy"]
    exists = db.session.scalars(select(Order.id).where(Order.requester_id == requester.id,
                                                       Order.description == story.description)).first()
    if exists is not None:
        return 0
    area, staff = world.areas[story.community], STAFF[story.community]
    placed = _at(world.now, story.days, story.hour)
    clock.freeze(placed)
    body = {"area_id": area.id, "category": story.category, "description": story.description,
            "preferred_time": "上午" if story.hour < 12 else "下午"}
    if story.requester == "grid":
        body.update(on_behalf_of=ON_BEHALF, contact_name=ON_BEHALF["name"], contact_phone=ON_BEHALF["phone"],
                    address="松阳老街17号")
    else:
        name, phone, address = RESIDENTS[story.requester]
        body.update(contact_name=name, contact_phone=phone, address=address)
    order = orders.create_order(world.viewer(requester.openid), body)[0]
    deliver_as_worker()
    order_id, who = order.id, requester.openid
    if story.fate == "ordered":
        return 1
    if story.fate == "cancelled":
        world.act(placed + timedelta(hours=2), who, order_id, "cancel", {"reason": "家里人已经安排好了，不需要了"})
        return 1
    dispatched = placed + timedelta(minutes=40)
    world.act(dispatched, staff, order_id, "dispatch", {"team_id": world.teams[story.community]})
    if story.fate == "dispatched":
        return 1
    accepted = dispatched + timedelta(minutes=50)
    world.act(accepted, story.volunteer, order_id, "accept")
    if story.fate == "accepted":
        return 1
    started = accepted + timedelta(hours=2)
    world.act(started, story.volunteer, order_id, "start")
    if story.fate == "in_service":
        return 1
    completed = started + timedelta(minutes=story.minutes)
    helpers = [world.users[story.helper].id] if story.helper else []
    world.act(completed, story.volunteer, order_id, "complete",
              {"result": "已按约定完成服务，居民确认满意" if story.stars >= 4 else "已上门完成服务", "helpers": helpers})
    if story.fate == "completed":
        return 1
    if story.fate == "closed":  # left unrated: the supervision worker closes it after AUTO_CLOSE_DAYS
        clock.freeze(completed + timedelta(days=int(current_app.config["AUTO_CLOSE_DAYS"]), hours=1))
        orders.system_close(db.session.get(Order, order_id), "服务完成后 7 天未评价，系统自动关闭")
        db.session.commit()
        deliver_as_worker()
        return 1
    rated = completed + timedelta(hours=5)
    world.act(rated, who, order_id, "rate", {"stars": story.stars, "comment": story.comment})
    if story.fate == "reviewed":
        world.act(rated + timedelta(days=1), staff, order_id, "review",
                  {"note": "已电话回访，向居民说明情况并致歉，已提醒服务队改进"})
    return 1


def _call(world: _World, key: str, kind: str, title: str, place: str, days: int, hour: int, hours: int,
          worth: int, people: list[str]) -> int:
    area, staff = world.areas[key], world.viewer(STAFF[key])
    if db.session.scalars(select(Call.id).where(Call.area_id == area.id, Call.title == title)).first() is not None:
        return 0
    starts = _at(world.now, days, hour)
    posted = min(starts - timedelta(days=4), world.now - timedelta(days=2))  # never in the future
    clock.freeze(posted)
    call, _ = calls.create_call(staff, {
        "kind": kind, "area_id": area.id, "title": title, "place": place, "starts_at": starts, "quota": 20,
        "points": worth, "duration_minutes": hours * 60,
        "description": f"{area.name}组织开展{title}，欢迎志愿者和居民报名参加"})
    deliver_as_worker()
    for n, openid in enumerate(people):
        clock.freeze(posted + timedelta(hours=20 + n))
        calls.sign_up(world.viewer(openid), call)
        deliver_as_worker()
    if days < 0:  # still to come: open for sign-ups
        return 1
    for openid in people[:-1]:  # the last forgot to check in on the phone: staff confirm them all
        clock.freeze(starts - timedelta(minutes=20))
        calls.check_in(world.viewer(openid), call)
    clock.freeze(starts + timedelta(hours=hours))
    calls.close_call(staff, call)
    for openid in people:
        calls.confirm_checkin(staff, call, world.users[openid].id)
    deliver_as_worker()
    return 1


def _reward(world: _World, key: str, name: str, description: str, cost: int, stock: int, active: bool) -> int:
    area = world.areas[key]
    if db.session.scalars(select(Reward.id).where(Reward.area_id == area.id, Reward.name == name)).first():
        return 0
    clock.freeze(_at(world.now, 89, 10))
    rewards.create_reward(world.viewer(STAFF[key]), {"area_id": area.id, "name": name, "description": description,
                                                     "points": cost, "stock": stock, "active": active})
    db.session.commit()
    return 1


def _redemption(world: _World, openid: str, key: str, name: str, fate: str, days: int) -> int:
    user, area = world.users[openid], world.areas[key]
    reward = db.session.scalars(select(Reward).where(Reward.area_id == area.id, Reward.name == name)).one()
    if db.session.scalars(select(Redemption.id).where(Redemption.user_id == user.id,
                                                      Redemption.reward_id == reward.id)).first() is not None:
        return 0
    at = _at(world.now, days, 15)
    clock.freeze(at)
    if not reward.active or reward.stock < 1:  # taken off the shelf by someone since: the story skips it
        return 0
    redemption = rewards.redeem(world.viewer(openid), reward.id)
    db.session.commit()
    if fate == "fulfilled":
        clock.freeze(at + timedelta(hours=1))
        rewards.fulfil(world.viewer(STAFF[key]), redemption.id, redemption.code)
    elif fate == "cancelled":
        clock.freeze(at + timedelta(days=1))
        rewards.cancel(world.viewer(openid), redemption.id)
    db.session.commit()
    return 1
