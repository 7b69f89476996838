"""/rewards and /redemptions: 积分超市 — rewards per community, redeeming points, 核销 and cancelling."""
from flask_smorest import Blueprint

from app.auth import current_viewer
from app.extensions import db
from app.points import service as points
from app.rewards import schemas, service
from app.schema import EmptySchema, decode_cursor, keyset_page

blp = Blueprint("rewards", __name__, description="积分超市：奖品、兑换、核销与取消")


@blp.route("/rewards", methods=["GET"])
@blp.arguments(schemas.RewardListArgs, location="query")
@blp.response(200, schemas.RewardPageSchema)
def list_rewards(args):
    """Rewards on sale, newest first (staff of the area also see those taken off sale), with my balance."""
    viewer = current_viewer()
    cursor = decode_cursor(args.get("cursor"))
    page = keyset_page(service.list_rewards(viewer, args, cursor and cursor["id"]), args["limit"])
    page["items"] = [service.present_reward(r) for r in page["items"]]
    page["balance"] = points.balance(viewer.id)
    return page


@blp.route("/rewards", methods=["POST"])
@blp.arguments(schemas.RewardCreateSchema)
@blp.response(201, schemas.RewardSchema)
def create_reward(body):
    """Put a reward on a community's shelf (staff of the community)."""
    reward = service.create_reward(current_viewer(), body)
    return service.present_reward(reward)


@blp.route("/rewards/<int:reward_id>", methods=["GET"])
@blp.response(200, schemas.RewardSchema)
def get_reward(reward_id):
    """One reward."""
    return service.present_reward(service.get_reward(current_viewer(), reward_id))


@blp.route("/rewards/<int:reward_id>", methods=["PATCH"])
@blp.arguments(schemas.RewardUpdateSchema)
@blp.response(200, schemas.RewardSchema)
def update_reward(changes, reward_id):
    """Change a reward: stock on the shelf, on or off sale, name, points, photo (staff of its community)."""
    reward = service.update_reward(current_viewer(), reward_id, changes)
    return service.present_reward(reward)


def _presented(viewer, redemption_id: int) -> dict:
    """The redemption as it now stands, read in the action's transaction (the request's end commits it)."""
    db.session.flush()
    return service.present_redemption(viewer, service.redemption_row(viewer, redemption_id))


@blp.route("/rewards/<int:reward_id>/redeem", methods=["POST"])
@blp.arguments(EmptySchema)
@blp.response(201, schemas.RedemptionSchema)
def redeem(_body, reward_id):
    """Exchange my points for one (debited at once); 409 when out of stock or short of points."""
    viewer = current_viewer()
    redemption = service.redeem(viewer, reward_id)
    return _presented(viewer, redemption.id)


def _redemption_page(list_rows, args) -> dict:
    """One page of a redemption list (rows of service._rows), presented for the viewer."""
    viewer = current_viewer()
    cursor = decode_cursor(args.get("cursor"))
    page = keyset_page(list_rows(viewer, args, cursor and cursor["id"]), args["limit"],
                       key=lambda row: {"id": row[0].id})
    page["items"] = [service.present_redemption(viewer, row) for row in page["items"]]
    return page


@blp.route("/me/redemptions", methods=["GET"])
@blp.arguments(schemas.RedemptionListArgs, location="query")
@blp.response(200, schemas.RedemptionPageSchema)
def my_redemptions(args):
    """My redemptions (兑换记录), newest first, each with its code while pending."""
    return _redemption_page(service.my_redemptions, args)


@blp.route("/redemptions", methods=["GET"])
@blp.arguments(schemas.AreaRedemptionListArgs, location="query")
@blp.response(200, schemas.RedemptionPageSchema)
def area_redemptions(args):
    """Redemptions of my areas (staff), newest first; `code` finds the one a volunteer shows (核销)."""
    return _redemption_page(service.area_redemptions, args)


@blp.route("/redemptions/<int:redemption_id>", methods=["GET"])
@blp.response(200, schemas.RedemptionSchema)
def get_redemption(redemption_id):
    """One redemption (its owner, staff of its community)."""
    viewer = current_viewer()
    return service.present_redemption(viewer, service.redemption_row(viewer, redemption_id))


@blp.route("/redemptions/<int:redemption_id>/fulfil", methods=["POST"])
@blp.arguments(schemas.FulfilSchema)
@blp.response(200, schemas.RedemptionSchema)
def fulfil(body, redemption_id):
    """核销: hand the reward over against the code on the volunteer's phone (staff of its community)."""
    viewer = current_viewer()
    service.fulfil(viewer, redemption_id, body["code"])
    return _presented(viewer, redemption_id)


@blp.route("/redemptions/<int:redemption_id>/cancel", methods=["POST"])
@blp.arguments(EmptySchema)
@blp.response(200, schemas.RedemptionSchema)
def cancel(_body, redemption_id):
    """Cancel (the owner while pending, or staff): points and stock are given back."""
    viewer = current_viewer()
    service.cancel(viewer, redemption_id)
    return _presented(viewer, redemption_id)
