"""The demo's care plan (DESIGN §8 "a lived-in demo"): 松阳's staff visit a resident living alone twice a week.

Its visits of the last three weeks are filed as the worker would have filed them (the clock set to the evening
before each), served by a volunteer of 松阳's team and rated; running it again changes nothing.
"""
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app import clock
from app.auth.viewer import load_viewer
from app.care import service
from app.care.models import CarePlan
from app.demo import TEAMS
from app.extensions import db
from app.teams.models import Team
from app.users.service import user_by_openid

TITLE = "独居老人定期探访"
WEEKS_OF_HISTORY = 3


def _viewer(openid: str):
    user = user_by_openid(openid)
    return load_viewer(user.id, user.token_version)


def seed_care_plan() -> int:
    """Create the demo care plan and its past visits if missing; returns how many visits were filed."""
    from app.demo_history import deliver_as_worker
    from app.orders.service import act

    def step(*args):  # one step of the history, committed, and its in-app messages delivered then
        act(*args)
        db.session.commit()
        deliver_as_worker()

    staff, resident = _viewer("demo-staff-sy"), user_by_openid("demo-resident-sy-1")
    if db.session.scalar(select(CarePlan.id).where(CarePlan.title == TITLE, CarePlan.resident_id == resident.id)):
        return 0
    name = TEAMS["sy"][0]
    team = db.session.scalar(select(Team).where(Team.name == name))
    today = service.local_today()
    plan = service.create_plan(staff, {
        "resident": {"user_id": resident.id, "phone": resident.phone or "13800001234"}, "area_id": team.area_id,
        "category": "elderly", "title": TITLE, "description": "上门看望独居老人：量血压、打扫卫生、代买生活用品",
        "address": "松阳小区3栋2单元", "weekdays": [2, 5], "time_slot": "上午",
        "starts_on": today - timedelta(weeks=WEEKS_OF_HISTORY), "ends_on": None, "team_id": team.id})
    db.session.commit()
    was = clock._frozen  # the seed sets the clock for each past visit, then puts it back as it was
    filed = 0
    try:
        for day in service.visit_dates(plan, plan.starts_on, WEEKS_OF_HISTORY * 7 + 2):
            evening = datetime.combine(day - timedelta(days=1), time(20), service.LOCAL)
            clock.freeze(evening)
            order_id = service.file_visit(db.session.get(CarePlan, plan.id), day)
            if order_id is None:
                continue
            filed += 1
            db.session.commit()
            deliver_as_worker()
            if day >= today:
                continue  # the next visit waits for the team
            volunteer = _viewer("demo-volunteer-sy-1")
            clock.freeze(evening + timedelta(hours=1))
            step(volunteer, order_id, "accept", {})
            clock.freeze(datetime.combine(day, time(10), service.LOCAL))
            step(volunteer, order_id, "complete", {"result": "已上门探访，老人血压正常，帮忙打扫了厨房"})
            clock.freeze(datetime.combine(day, time(16), service.LOCAL))
            step(_viewer("demo-staff-sy"), order_id, "rate", {"stars": 5, "comment": "老人很满意"})
    finally:
        clock.freeze(was)
    return filed
