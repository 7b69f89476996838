"""The one table of order actions: who may move an order from which statuses to which.

It drives both the checks in the service and `allowed_actions` on every order.
"""
from dataclasses import dataclass
from functools import lru_cache

from app.errors import Forbidden, InvalidTransition, NotFound
from app.orders.models import OrderStatus as S

# The parts a user can play in an order.
REQUESTER, TEAM_MEMBER, TEAM_LEADER, ASSIGNEE, STAFF, SYSTEM = (
    "requester", "team_member", "team_leader", "assignee", "staff", "system")


@dataclass(frozen=True)
class Rule:
    action: str
    parties: frozenset[str]
    sources: frozenset[S]
    target: S | None  # None: the status stays
    needs_reason: bool = False  # the body must give a reason (where the schema leaves it optional)


def rule(action: str, parties: set[str], sources: set[S], target: S | None, needs_reason: bool = False) -> Rule:
    return Rule(action, frozenset(parties), frozenset(sources), target, needs_reason)


RULES: tuple[Rule, ...] = (
    rule("dispatch", {STAFF, SYSTEM}, {S.ORDERED}, S.DISPATCHED),  # system: automatic dispatch (app/dispatch)
    # 改派: staff send a dispatched order, not yet accepted, to another team (the system never does).
    rule("dispatch", {STAFF}, {S.DISPATCHED}, S.DISPATCHED),
    rule("accept", {TEAM_MEMBER}, {S.DISPATCHED}, S.ACCEPTED),
    rule("decline", {TEAM_MEMBER}, {S.DISPATCHED}, S.ORDERED),
    rule("start", {ASSIGNEE}, {S.ACCEPTED}, S.IN_SERVICE),
    rule("complete", {ASSIGNEE, TEAM_LEADER}, {S.ACCEPTED, S.IN_SERVICE}, S.COMPLETED),
    rule("rate", {REQUESTER}, {S.COMPLETED}, S.RATED),
    rule("cancel", {REQUESTER}, {S.ORDERED, S.DISPATCHED}, S.CANCELLED),
    rule("cancel", {STAFF}, {S.ORDERED, S.DISPATCHED, S.ACCEPTED, S.IN_SERVICE}, S.CANCELLED, needs_reason=True),
    rule("close", {STAFF, SYSTEM}, {S.COMPLETED}, S.CLOSED),
    rule("reopen", {STAFF}, {S.RATED, S.CLOSED}, S.ORDERED),
    rule("review", {STAFF}, {S.RATED}, None),
)
ACTIONS: tuple[str, ...] = tuple(dict.fromkeys(r.action for r in RULES))


@lru_cache(maxsize=1024)
def allowed_actions(parties: frozenset[str], status: str) -> tuple[str, ...]:
    """The actions these parties may take now, in the table's order (cached: every presented order asks)."""
    return tuple(dict.fromkeys(
        r.action for r in RULES if r.parties & parties and status in r.sources))


def check(action: str, parties: set[str], status: str) -> Rule:
    """The rule that allows this move (the first in the table's order); 403 if no part of the user's may do
    it, 409 if not now."""
    rules = [r for r in RULES if r.action == action]
    if not rules:
        raise NotFound("不支持该操作")
    mine = [r for r in rules if r.parties & parties]
    if not mine:
        raise Forbidden("您没有权限对该工单执行此操作")
    for candidate in mine:
        if status in candidate.sources:
            return candidate
    raise InvalidTransition()
