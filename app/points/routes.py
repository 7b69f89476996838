"""/me/points (my balance and ledger) and /points/leaderboard (积分榜)."""
from flask_smorest import Blueprint

from app import clock
from app.auth import current_viewer
from app.points import service
from app.schema import Id, ListArgs, Schema, decode_cursor, fields, keyset_page, validate

blp = Blueprint("points", __name__, description="志愿积分：积分明细与积分榜")


class PointsEntrySchema(Schema):
    id = fields.Integer()
    amount = fields.Integer()
    reason = fields.String(metadata={"description": "order_rated, rating_bonus, order_closed, order_reopened, "
                                                    "call_checkin, redeem (积分兑换), refund (取消兑换)"})
    reason_label = fields.Function(lambda entry: service.REASON_LABELS.get(entry.reason, "积分"),
                                   metadata={"type": "string"})
    order_id = fields.Integer(allow_none=True)
    call_id = fields.Integer(allow_none=True)
    note = fields.String()
    created_at = fields.DateTime()


class MyPointsSchema(Schema):
    balance = fields.Integer()
    entries = fields.List(fields.Nested(PointsEntrySchema))
    next_cursor = fields.String(allow_none=True, metadata={"description": "the next page of entries"})


class LeaderboardArgs(Schema):
    area_id = Id(metadata={"description": "an area subtree; none: everywhere"})
    period = fields.String(load_default="month", validate=validate.OneOf(service.PERIODS),
                           metadata={"description": "the current Asia/Shanghai week, month, year, or all time"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=50))


class LeaderboardItemSchema(Schema):
    rank = fields.Integer()
    user_id = fields.Integer()
    nickname = fields.String()
    points = fields.Integer()


class LeaderboardSchema(Schema):
    period = fields.String()
    area_id = fields.Integer(allow_none=True)
    since = fields.DateTime(allow_none=True)
    items = fields.List(fields.Nested(LeaderboardItemSchema))


@blp.route("/me/points", methods=["GET"])
@blp.arguments(ListArgs, location="query")
@blp.response(200, MyPointsSchema)
def my_points(args):
    """My points balance and ledger entries, newest first."""
    viewer = current_viewer()
    cursor = decode_cursor(args.get("cursor"))
    page = keyset_page(service.entries(viewer, args["limit"], cursor and cursor["id"]), args["limit"])
    return {"balance": service.balance(viewer.id), "entries": page["items"], "next_cursor": page["next_cursor"]}


@blp.route("/points/leaderboard", methods=["GET"])
@blp.arguments(LeaderboardArgs, location="query")
@blp.response(200, LeaderboardSchema)
def leaderboard(args):
    """Volunteers with the most points earned in an area's subtree in the period."""
    current_viewer()
    now = clock.now()
    items = service.leaderboard(args.get("area_id"), args["period"], args["limit"], now)
    return {"period": args["period"], "area_id": args.get("area_id"),
            "since": service.period_start(args["period"], now), "items": items}
