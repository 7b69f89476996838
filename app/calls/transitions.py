"""The one table of a sign-up's moves (like app/orders/transitions.py for orders): from which statuses each
action takes a sign-up to which, and what a user is told when it is not in one of them (409)."""
from dataclasses import dataclass

from sqlalchemy import update

from app.calls.models import CallSignup
from app.database import changed_one
from app.errors import Conflict


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str
    refusal: str  # the 409's message when the sign-up is in none of the sources


def move(sources: set[str], target: str, refusal: str) -> Move:
    return Move(frozenset(sources), target, refusal)


SIGNUP_MOVES: dict[str, Move] = {
    "signup": move({"withdrawn"}, "signed_up", "您已报名"),  # again, after withdrawing (a first one is a new row)
    "withdraw": move({"signed_up"}, "withdrawn", "已签到，不能取消报名"),
    "checkin": move({"signed_up"}, "checked_in", "您已签到"),
    "confirm": move({"signed_up", "checked_in"}, "confirmed", "已确认签到，不能重复确认"),
}


def move_signup(signup: CallSignup, action: str, **values) -> None:
    """Move the sign-up if it is still in a status the action starts from (the database settles races); 409
    with the table's message if not."""
    rule = SIGNUP_MOVES[action]
    changed_one(update(CallSignup).where(CallSignup.id == signup.id, CallSignup.status.in_(rule.sources))
                .values(status=rule.target, **values), Conflict(rule.refusal))
