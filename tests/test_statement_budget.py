"""Every step of the five-order workflow costs a fixed, small number of SQL statements.

Counted in-process on the demo world (BEGIN and SQLite's PRAGMAs aside). A change that adds a lazy load, a
look-up, an INSERT per recipient or a second read-back fails here first, whatever the database.
"""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification
from app.teams.models import TeamMember
from app.users.models import User

# What each request costs once the viewer is logged in. The benchmarked ones (create, detail, list, accept)
# keep to six; dispatch and rate also read the team (with its area and categories) or the earlier rating;
# complete also credits the service minutes of everyone who served (one INSERT … SELECT, app/records); staff
# reading a detail get the resident's phone whole, which writes one row of the access log (app/privacy); staff's
# detail of an order they may dispatch also ranks the teams that may take it (one statement, app/dispatch); a
# create reads the requester's likely duplicates (app/dispatch/duplicates.py) with the area and category it
# checks, and presents the order as written, without reading it back.
BUDGET = {"create": 4, "detail": 4, "list": 3, "dispatch": 8, "accept": 6, "start": 5, "complete": 7, "rate": 8}


def walk(demo, count_statements) -> dict:
    """{step: statements} for one order taken through every step by the people who take them."""
    costs = {}

    def count(step, call):
        with count_statements() as statements:
            result = call()
        costs[step] = len(statements)
        return result

    for who in ("resident", "staff_sy", "vol1"):
        demo.client.get("/api/v1/me", headers=demo.headers(who))  # log in outside the count
    order = count("create", demo.create_order)
    count("detail", lambda: demo.client.get(f"/api/v1/orders/{order['id']}", headers=demo.headers("staff_sy")))
    count("list", lambda: demo.client.get("/api/v1/orders?limit=20", headers=demo.headers("staff_sy")))
    count("dispatch", lambda: demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy}))
    count("accept", lambda: demo.act(order["id"], "accept", "vol1"))
    count("start", lambda: demo.act(order["id"], "start", "vol1"))
    count("complete", lambda: demo.act(order["id"], "complete", "vol1", {"result": "已陪同完成复查"}))
    count("rate", lambda: demo.act(order["id"], "rate", "resident", {"stars": 5, "comment": "很好"}))
    return costs


def test_each_step_keeps_its_statement_budget(demo, count_statements):
    """Does each step of 点单 → 评单 run the statements it is budgeted, the benchmarked ones no more than six?"""
    costs = walk(demo, count_statements)
    assert costs == BUDGET
    assert max(costs[step] for step in ("create", "detail", "list", "accept")) <= 6


def test_a_large_team_costs_the_same(demo, count_statements):
    """Is a dispatch to a team of 40 (40 notifications) as many statements as to the demo team?"""
    with demo.app.app_context():
        for n in range(40):
            user = User(openid=f"budget-member-{n}", nickname=f"队员{n}")
            db.session.add(user)
            db.session.flush()
            db.session.add(TeamMember(team_id=demo.team_sy, user_id=user.id, role="member"))
        db.session.commit()
    costs = walk(demo, count_statements)
    assert costs == BUDGET
    with demo.app.app_context():
        told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "dispatched")).all()
    assert len(told) >= 40 and len(told) == len(set(told))
