"""The demo world's 积分超市 and history of service (DESIGN §8 "A lived-in demo"); running it again changes nothing.

Called by `flask seed-demo` after the accounts of DESIGN §7 exist: each community gets rewards on its shelf
(one sold out, one off sale), two past activities whose sign-ups staff confirmed (service minutes and points,
written as the confirmation writes them), and redemptions in every status (fulfilled, pending, cancelled).
Orders the demo history completes through the order actions are credited by app/records itself.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app import clock
from app.areas.models import Area
from app.calls.models import Call, CallSignup
from app.extensions import db
from app.points import service as points
from app.records.service import credit_call
from app.rewards.models import Redemption, Reward
from app.rewards.service import new_code
from app.stats.service import TZ
from app.users.models import User

REWARDS = {
    "松阳社区": [("洗衣液（2 公斤）", "党群服务中心一楼积分超市领取", 30, 20, True),
             ("大米（5 斤）", "每月 10 日前后到货", 60, 10, True),
             ("老年人上门理发券", "由服务队理发志愿者上门，一次一张", 20, 0, True),
             ("环保购物袋", "可重复使用的帆布袋", 10, 50, True),
             ("春节福袋", "春节前后上架", 80, 0, False)],
    "青山社区": [("食用油（1.8 升）", "青山社区居委会领取", 80, 5, True),
             ("抽纸（一提）", "青山社区居委会领取", 25, 15, True)],
}
ACTIVITIES = {  # community: [(title, place, days ago, hours, points)]
    "松阳社区": [("重阳节敬老院慰问", "松阳社区养老服务中心", 75, 3, 20), ("垃圾分类宣传进小区", "松阳小区中心广场", 20, 2, 20)],
    "青山社区": [("青山河道清理", "青山河东岸", 40, 3, 20)],
}
VOLUNTEERS = {"松阳社区": ["demo-leader-sy", "demo-volunteer-sy-1", "demo-volunteer-sy-2"],
              "青山社区": ["demo-leader-qs"]}
# openid, community, reward, final status, days ago
REDEMPTIONS = [("demo-volunteer-sy-1", "松阳社区", "洗衣液（2 公斤）", "fulfilled", 10),
               ("demo-volunteer-sy-2", "松阳社区", "环保购物袋", "pending", 3),
               ("demo-leader-sy", "松阳社区", "环保购物袋", "cancelled", 6)]
STAFF = {"松阳社区": "demo-staff-sy", "青山社区": "demo-staff-qs"}


def _at(days_ago: int, hour: int = 9) -> datetime:
    """A Shanghai wall-clock time so many days ago."""
    day = (clock.now().astimezone(TZ) - timedelta(days=days_ago)).date()
    return datetime.combine(day, time(hour), TZ).astimezone(clock.now().tzinfo)


def seed_rewards_and_service() -> dict:
    """Add what is missing of the demo's rewards, past activities and redemptions; returns what it added."""
    users = {u.openid: u for u in db.session.scalars(select(User).where(User.openid.like("demo-%")))}
    areas = {a.name: a for a in db.session.scalars(select(Area).where(Area.name.in_(list(REWARDS))))}
    if len(areas) < len(REWARDS) or not all(openid in users for names in VOLUNTEERS.values() for openid in names):
        raise RuntimeError("the demo world of DESIGN §7 is missing: run seed_demo() first")
    added = {"rewards": 0, "activities": 0, "redemptions": 0}
    rewards = {}
    for community, items in REWARDS.items():
        area, staff = areas[community], users[STAFF[community]]
        for name, description, cost, stock, active in items:
            reward = db.session.scalars(select(Reward).where(Reward.area_id == area.id, Reward.name == name)).first()
            if reward is None:
                reward = Reward(area_id=area.id, name=name, description=description, points=cost, stock=stock,
                                active=active, created_by_id=staff.id, created_at=_at(90), updated_at=_at(90))
                db.session.add(reward)
                added["rewards"] += 1
            rewards[(community, name)] = reward
    for community, activities in ACTIVITIES.items():
        for title, place, days_ago, hours, worth in activities:
            added["activities"] += _past_activity(areas[community], users[STAFF[community]], title, place, days_ago,
                                                  hours, worth, [users[o] for o in VOLUNTEERS[community]])
    db.session.flush()
    for openid, community, name, status, days_ago in REDEMPTIONS:
        added["redemptions"] += _redemption(users[openid], rewards[(community, name)], users[STAFF[community]],
                                            status, days_ago)
    db.session.commit()
    return added


def _past_activity(area: Area, staff: User, title: str, place: str, days_ago: int, hours: int, worth: int,
                   volunteers: list[User]) -> int:
    """A closed activity whose volunteers all came and were confirmed: minutes and points as confirmation gives."""
    if db.session.scalars(select(Call.id).where(Call.area_id == area.id, Call.title == title)).first() is not None:
        return 0
    starts = _at(days_ago)
    call = Call(kind="activity", area_id=area.id, title=title, description=f"{area.name}组织志愿者开展{title}活动",
                place=place, starts_at=starts, quota=20, signup_count=len(volunteers), points=worth,
                duration_minutes=hours * 60, target=None, status="closed", created_by_id=staff.id,
                created_at=starts - timedelta(days=5), closed_at=starts + timedelta(hours=hours),
                closed_by_id=staff.id)
    db.session.add(call)
    db.session.flush()
    confirmed = starts + timedelta(hours=hours)
    for volunteer in volunteers:
        db.session.add(CallSignup(call_id=call.id, user_id=volunteer.id, status="confirmed",
                                  signed_up_at=starts - timedelta(days=3), checked_in_at=starts,
                                  confirmed_at=confirmed, confirmed_by_id=staff.id))
        points.award(volunteer.id, area.id, worth, "call_checkin", call_id=call.id, note=title, at=confirmed)
        credit_call(call, volunteer.id, None, at=confirmed)
    return 1


def _redemption(user: User, reward: Reward, staff: User, status: str, days_ago: int) -> int:
    """One redemption, moved to its status with the ledger entries and stock a real one has."""
    if db.session.scalars(select(Redemption.id).where(Redemption.user_id == user.id,
                                                      Redemption.reward_id == reward.id)).first() is not None:
        return 0
    if reward.stock < 1 or points.balance(user.id) < reward.points:
        return 0
    at = _at(days_ago, 15)
    redemption = Redemption(reward_id=reward.id, user_id=user.id, area_id=reward.area_id, reward_name=reward.name,
                            points=reward.points, code=new_code(), status=status, created_at=at)
    reward.stock -= 1
    points.award(user.id, reward.area_id, -reward.points, "redeem", note=f"兑换：{reward.name}", at=at)
    if status == "fulfilled":
        redemption.fulfilled_at, redemption.fulfilled_by_id = at + timedelta(hours=1), staff.id
    elif status == "cancelled":
        redemption.cancelled_at, redemption.cancelled_by_id = at + timedelta(days=1), user.id
        reward.stock += 1
        points.award(user.id, reward.area_id, reward.points, "refund", note=f"取消兑换：{reward.name}",
                     at=redemption.cancelled_at)
    db.session.add(redemption)
    db.session.flush()
    return 1
