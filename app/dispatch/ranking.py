"""Ranked dispatch suggestions (`dispatch_teams`, DESIGN §8): exactly the teams that may take an order,
best first, each with its reasons in Chinese.

One statement reads every eligible team (app/orders/scope.py `eligible_team_rows`: the one rule of which teams
may take an order) with its area and three figures: its open load (orders dispatched to it and not yet completed,
counted up to LOAD_COUNTED), its mean response (dispatch → accept) over the last RESPONSE_DAYS, and the ratings of
its orders rated over the last SATISFACTION_DAYS (each figure a range of an index on the team's orders). The
score is a plain sum of four parts (see `score`), so a reader can tell why one team is above another; ties go to
the lower team id.
"""
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache

from sqlalchemy import bindparam, case, extract, func, select

from app import clock
from app.areas.models import KIND_LABELS, path_ids
from app.extensions import db
from app.orders.models import IN_HAND_STATUSES, Order, Rating
from app.orders.scope import eligible_team_rows, teams_along
from app.teams.models import Team

RESPONSE_DAYS = 30
SATISFACTION_DAYS = 90
# Open orders are counted up to here: beyond, a team is simply full (its load part is under 0.25 points), and
# counting every one of a backlog of thousands took most of the statement's time.
LOAD_COUNTED = 100
# The parts of a score (their sum is at most 100).
CLOSENESS_POINTS, CLOSENESS_STEP = 40.0, 15.0  # the order's own area 40, one level up 25, two 10, then 0
LOAD_POINTS = 25.0  # no open orders 25, one 12.5, three 6.25 …
RESPONSE_POINTS, RESPONSE_HALF_MINUTES = 20.0, 60.0  # accepting at once 20, in an hour 10; unknown 10
SATISFACTION_POINTS = 15.0  # × the share of ratings ≥ 4 stars; unrated 7.5


@dataclass
class Candidate:
    team_id: int
    name: str
    area_id: int
    area_kind: str
    area_name: str
    distance: int  # levels between the order's area and the team's (0: the same)
    open_orders: int
    response_minutes: float | None
    ratings: int
    good_ratings: int


def _minutes(postgres: bool, later, earlier):
    if postgres:
        return extract("epoch", later - earlier) / 60.0
    return (func.julianday(later) - func.julianday(earlier)) * 1440.0


@lru_cache(maxsize=2)
def _statement(postgres: bool):
    """`teams_along` with the three figures, built once (building it took longer than PostgreSQL takes to answer
    it) and prepared, with one plan for any values (app/database.py: it looks rows up by keys and ranges of
    indexes); the windows' starts are bound per call (:response_since, :rated_since)."""
    # The statuses written out, as ix_orders_team_in_hand's condition is: a prepared plan may then read that index.
    in_hand = bindparam("in_hand", [str(s) for s in IN_HAND_STATUSES], expanding=True, literal_execute=True)
    open_ids = (select(Order.id).where(Order.team_id == Team.id, Order.status.in_(in_hand))
                .limit(LOAD_COUNTED).correlate(Team).subquery())
    open_orders = select(func.count()).select_from(open_ids).scalar_subquery()
    response = (select(func.avg(_minutes(postgres, Order.accepted_at, Order.dispatched_at))).select_from(Order)
                .where(Order.team_id == Team.id, Order.accepted_at >= bindparam("response_since"),
                       Order.dispatched_at.is_not(None))
                .scalar_subquery())
    # The stars of each of the team's orders rated in the window, looked up one by one through ix_ratings_order_stars
    # (a join would read every rating of the window county-wide).
    stars = select(Rating.stars).where(Rating.order_id == Order.id).scalar_subquery()
    rated = (select(func.count()).select_from(Order)
             .where(Order.team_id == Team.id, Order.rated_at >= bindparam("rated_since")))
    ratings = rated.scalar_subquery()  # a rated order has its rating (a reopen clears rated_at and the team)
    good = rated.with_only_columns(func.coalesce(func.sum(case((stars >= 4, 1), else_=0)), 0)).scalar_subquery()
    return teams_along().add_columns(open_orders, response, ratings, good).execution_options(prepare=True,
                                                                                             generic_plan=True)


def candidates(order_area_path: str, category_id: int, current_team_id: int | None = None) -> list[Candidate]:
    """The teams that may take an order in this area and category (one dispatched to `current_team_id`: the
    others), with their figures: one statement."""
    now = clock.now()
    statement = _statement(db.session.get_bind().dialect.name == "postgresql")
    params = {"response_since": now - timedelta(days=RESPONSE_DAYS),
              "rated_since": now - timedelta(days=SATISFACTION_DAYS)}
    along = path_ids(order_area_path)
    return [Candidate(team_id=team.id, name=team.name, area_id=team.area_id, area_kind=team.area.kind,
                      area_name=team.area.name, distance=len(along) - 1 - along.index(team.area_id),
                      open_orders=int(loaded or 0), response_minutes=None if minutes is None else float(minutes),
                      ratings=int(rated_count or 0), good_ratings=int(good_count or 0))
            for team, loaded, minutes, rated_count, good_count in eligible_team_rows(
                order_area_path, category_id, statement, params, current_team_id)]


def score(c: Candidate) -> float:
    """Closeness + load + response + satisfaction, 0–100."""
    closeness = max(0.0, CLOSENESS_POINTS - CLOSENESS_STEP * c.distance)
    load = LOAD_POINTS / (1 + c.open_orders)
    if c.response_minutes is None:
        response = RESPONSE_POINTS / 2
    else:
        response = RESPONSE_POINTS * RESPONSE_HALF_MINUTES / (RESPONSE_HALF_MINUTES + max(0.0, c.response_minutes))
    satisfaction = SATISFACTION_POINTS * (c.good_ratings / c.ratings if c.ratings else 0.5)
    return round(closeness + load + response + satisfaction, 1)


def _duration(minutes: float) -> str:
    if minutes < 60:
        return f"{max(1, round(minutes))} 分钟"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} 小时".replace(".0 ", " ")
    return f"{round(minutes / 1440)} 天"


def reasons(c: Candidate) -> list[str]:
    """Why the team is where it is, in the words staff use."""
    found = [f"本{KIND_LABELS.get(c.area_kind, '区域')}" if c.distance == 0 or c.area_kind == "community"
             else f"上级区域（{c.area_name}）"]
    load = f"当前 {c.open_orders} 单" if c.open_orders < LOAD_COUNTED else f"当前 {LOAD_COUNTED} 单以上"
    found.append(load if c.open_orders else "当前无在办工单")
    found.append(f"近{RESPONSE_DAYS}天平均 {_duration(c.response_minutes)}接单" if c.response_minutes is not None
                 else f"近{RESPONSE_DAYS}天无接单记录")
    found.append(f"满意率 {100 * c.good_ratings / c.ratings:.0f}%（{c.ratings} 次评价）" if c.ratings else "暂无评价")
    return found


def dispatch_teams(order_area_path: str, category_id: int, current_team_id: int | None = None) -> list[dict]:
    """`dispatch_teams` of an order: [{team_id, name, area_id, score, reasons}], best first (an order dispatched
    to `current_team_id`, for 改派: the other teams)."""
    ranked = sorted(((score(c), c) for c in candidates(order_area_path, category_id, current_team_id)),
                    key=lambda pair: (-pair[0], pair[1].team_id))
    return [{"team_id": c.team_id, "name": c.name, "area_id": c.area_id, "score": value, "reasons": reasons(c)}
            for value, c in ranked]
