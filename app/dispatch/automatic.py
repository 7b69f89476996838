"""Automatic dispatch (DESIGN §8): which team a new order goes to without staff, if any."""
from app.areas.models import Area
from app.orders.models import Order
from app.orders.scope import eligible_teams, team_and_refusal

AUTO_NOTE = "自动派单"
PLAN_NOTE = "周期服务派单"


def team_for_new_order(order: Order, area: Area, plan_team_id: int | None = None) -> tuple[int, str] | None:
    """(team id, event note) for a new order, or None to leave it to staff.

    A care plan's visit goes to the plan's team while that team may take it; otherwise, in an area with
    `auto_dispatch`, the order goes to the one team that may take it when there is exactly one (which teams
    may take an order: app/orders/scope.py `team_refusal`).
    """
    if plan_team_id is not None:
        team, refusal = team_and_refusal(plan_team_id, area.path, order.category_id)
        if refusal is None:
            return team.id, PLAN_NOTE
    if not area.auto_dispatch:
        return None
    teams = eligible_teams(area.path, order.category_id)
    return (teams[0].id, AUTO_NOTE) if len(teams) == 1 else None
